/*
 * json_body.h — a JSON request body read into named string fields (server
 * layer; no HTTP here, so the fuzzers can drive it).
 */
#ifndef SHROUD_SERVER_JSON_BODY_H
#define SHROUD_SERVER_JSON_BODY_H

#include <jansson.h>
#include <stddef.h>

/* Parses body (len bytes, NULL when empty) as one JSON object without
 * duplicate keys, in which every names[i] (NULL-ended) is a string without
 * NUL characters: returns
 * the object, values[i] and lengths[i] (may be NULL) pointing into it
 * (json_decref it when done). Otherwise NULL, with a sentence for a 400
 * answer in problem. Other keys are allowed. */
json_t *json_body_fields(const char *body, size_t len, const char *const *names,
                         const char **values, size_t *lengths, char *problem, size_t cap);

#endif
