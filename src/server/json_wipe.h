/*
 * json_wipe.h — jansson memory that is wiped when freed (server layer, also
 * used by `shroud remote`): JSON here carries passwords, tokens and revealed
 * messages, and jansson frees its strings without clearing them.
 */
#ifndef SHROUD_SERVER_JSON_WIPE_H
#define SHROUD_SERVER_JSON_WIPE_H

/* Makes every later jansson allocation wiped on free (process-wide; call
 * before any JSON value exists, and once). Memory jansson hands out, such as
 * json_dumps' text, must then be freed with json_wipe_free, not free(). */
void json_wipe_install(void);
void json_wipe_free(void *ptr);

#endif
