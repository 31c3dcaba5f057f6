/* json_body.c — named string fields of a JSON request body. */
#include "server/json_body.h"

#include <stdio.h>
#include <string.h>

json_t *json_body_fields(const char *body, size_t len, const char *const *names,
                         const char **values, size_t *lengths, char *problem, size_t cap)
{
    json_error_t e;
    json_t *obj = body ? json_loadb(body, len, JSON_REJECT_DUPLICATES, &e) : NULL;
    if (!json_is_object(obj)) {
        json_decref(obj);
        snprintf(problem, cap, "the body is not a JSON object");
        return NULL;
    }
    for (size_t i = 0; names[i]; i++) {
        json_t *v = json_object_get(obj, names[i]);
        if (!json_is_string(v)) {
            snprintf(problem, cap, "field \"%s\" missing or not a string", names[i]);
            json_decref(obj);
            return NULL;
        }
        values[i] = json_string_value(v);
        if (strlen(values[i]) != json_string_length(v)) {
            snprintf(problem, cap, "field \"%s\" contains a NUL character", names[i]);
            json_decref(obj);
            return NULL;
        }
        if (lengths)
            lengths[i] = json_string_length(v);
    }
    return obj;
}
