/* store_dispatch.c — the public store_* functions: each calls the
 * implementation behind the store (store.h, "for implementations"). */
#include "server/store.h"

#include "crypto/primitives.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void store_close(store *s)
{
    if (s)
        s->ops->close(s);
}

int store_user_create(store *s, const char *name, const char *password_hash, const char *public_key,
                      int64_t now)
{
    return s->ops->user_create(s, name, password_hash, public_key, now);
}

int store_user_by_name(store *s, const char *name, store_user *out)
{
    return s->ops->user_by_name(s, name, out);
}

int store_user_by_id(store *s, int64_t id, store_user *out)
{
    return s->ops->user_by_id(s, id, out);
}

void store_user_clear(store_user *u)
{
    if (!u)
        return;
    if (u->password_hash) /* a hash still helps a guesser: not left in freed memory */
        prim_wipe(u->password_hash, strlen(u->password_hash));
    free(u->password_hash);
    free(u->public_key);
    memset(u, 0, sizeof *u);
}

int store_session_create(store *s, const uint8_t hash[STORE_TOKEN_HASH_BYTES], int64_t user_id,
                         int64_t expires)
{
    return s->ops->session_create(s, hash, user_id, expires);
}

int store_session_user(store *s, const uint8_t hash[STORE_TOKEN_HASH_BYTES], int64_t now,
                       int64_t *user_id)
{
    return s->ops->session_user(s, hash, now, user_id);
}

int store_session_delete(store *s, const uint8_t hash[STORE_TOKEN_HASH_BYTES])
{
    return s->ops->session_delete(s, hash);
}

int store_failure_add(store *s, const char *key, int64_t now, int64_t window, int64_t *count,
                      int64_t *window_start)
{
    return s->ops->failure_add(s, key, now, window, count, window_start);
}

int store_failure_get(store *s, const char *key, int64_t *count, int64_t *window_start)
{
    return s->ops->failure_get(s, key, count, window_start);
}

int store_failure_clear(store *s, const char *key)
{
    return s->ops->failure_clear(s, key);
}

int store_failure_undo(store *s, const char *key)
{
    return s->ops->failure_undo(s, key);
}

int store_image_add(store *s, const store_image *img)
{
    return s->ops->image_add(s, img);
}

int store_image_get(store *s, const char *id, store_image *out)
{
    return s->ops->image_get(s, id, out);
}

int store_image_list(store *s, int64_t offset, int64_t limit, store_image **out, size_t *n,
                     int64_t *total)
{
    *out = NULL;
    *n = 0;
    *total = 0;
    if (offset < 0 || limit < 0) {
        fprintf(stderr, "shroud serve: database: list images: negative offset or limit (a bug in "
                        "the caller)\n");
        return STORE_ERROR;
    }
    return s->ops->image_list(s, offset, limit, out, n, total);
}

int store_image_delete(store *s, const char *id)
{
    return s->ops->image_delete(s, id);
}
