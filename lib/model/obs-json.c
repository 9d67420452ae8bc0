/*
 * The live intake preview: extraction rendered as JSON for the UI while an officer types.
 * Pure: no store, no audit, nothing kept. Offsets are in bytes of the UTF-8 text, as everywhere
 * in the API.
 */
#include "renkei/obs.h"
#include "renkei/service.h"

#include <stdio.h>
#include <string.h>

#include "renkei/limits.h"

static void set_err(struct rk_error *err, enum rk_status rc, const char *field, const char *msg)
{
    if (err == NULL)
        return;
    err->code = rc;
    snprintf(err->field, sizeof err->field, "%s", field);
    snprintf(err->message, sizeof err->message, "%s", msg);
}

/* Adds `key: s` to `o` if `s` is not NULL; 0 on failure (invalid UTF-8 or no memory). */
static int put_str(json_t *o, const char *key, const char *s)
{
    if (s == NULL)
        return 1;
    json_t *v = json_stringn(s, strlen(s));
    return v != NULL && json_object_set_new(o, key, v) == 0;
}

enum rk_status rk_observable_preview(const char *text, size_t len, json_t **out,
                                     struct rk_error *err)
{
    struct rk_obs_list l = {0};
    json_t *root = NULL, *arr = NULL;
    enum rk_status rc;
    *out = NULL;
    if (text == NULL) {
        set_err(err, RK_EINVAL, "text", "text is required");
        return RK_EINVAL;
    }
    rc = rk_obs_extract(text, len, &l);
    if (rc == RK_ETOOBIG) {
        set_err(err, rc, "text", "text is longer than the extraction limit");
        goto out;
    }
    if (rc != RK_OK) {
        set_err(err, rc, "", "out of memory");
        goto out;
    }
    root = json_object();
    arr = json_array();
    if (root == NULL || arr == NULL || json_object_set(root, "observables", arr) != 0) {
        rc = RK_ENOMEM;
        set_err(err, rc, "", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < l.count; i++) {
        const struct rk_obs *o = &l.items[i];
        json_t *j = json_object();
        /* A value that is not valid UTF-8 (it cannot be: values are ASCII or checked) would be
         * dropped rather than fail the whole preview. */
        if (j == NULL) {
            rc = RK_ENOMEM;
            set_err(err, rc, "", "out of memory");
            goto out;
        }
        int ok = put_str(j, "type", rk_obs_type_name(o->type)) && put_str(j, "value", o->value) &&
                 put_str(j, "canonical", o->canonical) && put_str(j, "display", o->display) &&
                 json_object_set_new(j, "offset", json_integer((json_int_t)o->offset)) == 0 &&
                 json_object_set_new(j, "length", json_integer((json_int_t)o->length)) == 0;
        if (ok)
            ok = json_array_append_new(arr, j) == 0;
        else
            json_decref(j);
    }
    *out = root;
    root = NULL;
out:
    json_decref(arr);
    json_decref(root);
    rk_obs_list_clear(&l);
    return rc;
}
