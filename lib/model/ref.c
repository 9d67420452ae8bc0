/*
 * Reference data: categories (with their NPA statistical bucket), intake types, channels,
 * reporter types, TLP, scopes, observable roles, case relations (data/categories.json), and the
 * workflow states and transitions of reports and cases (data/workflow.json). Both files carry
 * ja and en labels and may be edited by a prefecture: at store open they are read from
 * $RENKEI_DATA_DIR when that is set, else the copies compiled into the binary are used. A file
 * that does not validate stops the store from opening, with a message naming the file and the
 * entry, so a typo never silently drops a category.
 */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "renkei/alloc.h"
#include "renkei/limits.h"
#include "share/access.h"

extern const unsigned char rk__data_categories[];
extern const size_t rk__data_categories_len;
extern const unsigned char rk__data_workflow[];
extern const size_t rk__data_workflow_len;

struct rk_ref {
    json_t *cat; /* data/categories.json */
    json_t *wf;  /* data/workflow.json */
};

/* Labelled lists that a prefecture's file may leave out (older files predate them). */
static const char *const OPTIONAL_LISTS[] = {"ransomware_sizes", "intrusion_routes",
                                             "restore_results", "recovery_times", "cost_bands",
                                             NULL};

static const char *const LISTS[] = {"buckets",        "categories", "intake_types",
                                    "channels",       "reporter_types", "tlp",
                                    "scopes",         "observable_roles", "case_relations",
                                    NULL};

static enum rk_status load_file(const char *name, const unsigned char *builtin, size_t len,
                                json_t **out, struct rk_error *err)
{
    const char *dir = getenv("RENKEI_DATA_DIR");
    json_error_t je;
    if (dir != NULL && *dir != '\0') {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        FILE *f = fopen(path, "rb");
        if (f == NULL)
            return rk__err(err, RK_EIO, name, "cannot open %s", path);
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        if (n < 0 || (unsigned long)n > RK_MAX_REF_FILE) {
            fclose(f);
            return rk__err(err, RK_ETOOBIG, name, "%s is larger than %u bytes", path,
                           RK_MAX_REF_FILE);
        }
        *out = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
        fclose(f);
    } else {
        *out = json_loadb((const char *)builtin, len, JSON_REJECT_DUPLICATES, &je);
    }
    if (*out == NULL)
        return rk__err(err, RK_EINVAL, name, "%s line %d: %s", name, je.line, je.text);
    return RK_OK;
}

/* Each entry of a labelled list has string "code", "ja" and "en". */
static enum rk_status check_list(const char *file, json_t *list, const char *what,
                                 struct rk_error *err)
{
    size_t i;
    json_t *e;
    if (!json_is_array(list) || json_array_size(list) == 0)
        return rk__err(err, RK_EINVAL, what, "%s: \"%s\" must be a non-empty array", file, what);
    json_array_foreach(list, i, e)
    {
        if (!json_is_string(json_object_get(e, "code")) ||
            !json_is_string(json_object_get(e, "ja")) ||
            !json_is_string(json_object_get(e, "en")))
            return rk__err(err, RK_EINVAL, what, "%s: %s[%zu] needs string code, ja and en",
                           file, what, i);
    }
    return RK_OK;
}

static json_t *find_code(json_t *list, const char *code)
{
    size_t i;
    json_t *e;
    if (code == NULL)
        return NULL;
    json_array_foreach(list, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "code")), code) == 0)
            return e;
    }
    return NULL;
}

static enum rk_status check_machine(json_t *wf, const char *m, struct rk_error *err)
{
    json_t *mach = json_object_get(wf, m);
    if (!json_is_object(mach))
        return rk__err(err, RK_EINVAL, m, "workflow.json: \"%s\" is missing", m);
    json_t *states = json_object_get(mach, "states");
    enum rk_status rc = check_list("workflow.json", states, m, err);
    if (rc != RK_OK)
        return rc;
    if (find_code(states, json_string_value(json_object_get(mach, "initial"))) == NULL)
        return rk__err(err, RK_EINVAL, m, "workflow.json: %s.initial is not a state", m);
    json_t *tr = json_object_get(mach, "transitions");
    size_t i;
    json_t *t;
    if (!json_is_array(tr))
        return rk__err(err, RK_EINVAL, m, "workflow.json: %s.transitions must be an array", m);
    json_array_foreach(tr, i, t)
    {
        if (find_code(states, json_string_value(json_object_get(t, "from"))) == NULL ||
            find_code(states, json_string_value(json_object_get(t, "to"))) == NULL)
            return rk__err(err, RK_EINVAL, m,
                           "workflow.json: %s.transitions[%zu] names an unknown state", m, i);
    }
    return RK_OK;
}

enum rk_status rk__ref_load(struct rk_store *s, struct rk_error *err)
{
    struct rk_ref *r = rk_calloc(1, sizeof(*r));
    if (r == NULL)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    enum rk_status rc = load_file("categories.json", rk__data_categories,
                                  rk__data_categories_len, &r->cat, err);
    if (rc == RK_OK)
        rc = load_file("workflow.json", rk__data_workflow, rk__data_workflow_len, &r->wf, err);
    for (size_t i = 0; rc == RK_OK && LISTS[i] != NULL; i++)
        rc = check_list("categories.json", json_object_get(r->cat, LISTS[i]), LISTS[i], err);
    for (size_t i = 0; rc == RK_OK && OPTIONAL_LISTS[i] != NULL; i++) {
        if (json_object_get(r->cat, OPTIONAL_LISTS[i]) != NULL)
            rc = check_list("categories.json", json_object_get(r->cat, OPTIONAL_LISTS[i]),
                            OPTIONAL_LISTS[i], err);
    }
    if (rc == RK_OK) {
        size_t i;
        json_t *e;
        json_t *buckets = json_object_get(r->cat, "buckets");
        json_array_foreach(json_object_get(r->cat, "categories"), i, e)
        {
            if (find_code(buckets, json_string_value(json_object_get(e, "bucket"))) == NULL) {
                rc = rk__err(err, RK_EINVAL, "categories",
                             "categories.json: categories[%zu] has an unknown bucket", i);
                break;
            }
        }
    }
    if (rc == RK_OK)
        rc = check_machine(r->wf, "report", err);
    if (rc == RK_OK)
        rc = check_machine(r->wf, "case", err);
    if (rc != RK_OK) {
        rk__ref_free(r);
        return rc;
    }
    s->ref = r;
    return RK_OK;
}

void rk__ref_free(struct rk_ref *r)
{
    if (r == NULL)
        return;
    json_decref(r->cat);
    json_decref(r->wf);
    rk_free(r);
}

int rk__ref_is_category(const struct rk_ref *r, const char *code)
{
    return find_code(json_object_get(r->cat, "categories"), code) != NULL;
}

int rk__ref_in_list(const struct rk_ref *r, const char *list, const char *code)
{
    return find_code(json_object_get(r->cat, list), code) != NULL;
}

int rk__ref_is_state(const struct rk_ref *r, const char *machine, const char *code)
{
    return find_code(json_object_get(json_object_get(r->wf, machine), "states"), code) != NULL;
}

const char *rk__ref_initial_state(const struct rk_ref *r, const char *machine)
{
    return json_string_value(json_object_get(json_object_get(r->wf, machine), "initial"));
}

int rk__ref_transition(const struct rk_ref *r, const char *machine, const char *from,
                       const char *to)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(json_object_get(r->wf, machine), "transitions"), i, t)
    {
        if (strcmp(json_string_value(json_object_get(t, "from")), from) == 0 &&
            strcmp(json_string_value(json_object_get(t, "to")), to) == 0)
            return json_is_true(json_object_get(t, "approval")) ? 2 : 1;
    }
    return 0;
}

/* Copies a labelled list, keeping code/ja/en and the extra keys named in `extra`. */
static json_t *labels(json_t *list, const char *const *extra)
{
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        json_t *o = json_pack("{s:O,s:O,s:O}", "code", json_object_get(e, "code"), "ja",
                              json_object_get(e, "ja"), "en", json_object_get(e, "en"));
        for (size_t k = 0; o != NULL && extra != NULL && extra[k] != NULL; k++) {
            json_t *v = json_object_get(e, extra[k]);
            if (v != NULL)
                json_object_set(o, extra[k], v);
        }
        json_array_append_new(out, o);
    }
    return out;
}

static json_t *transitions(json_t *mach)
{
    json_t *out = json_array();
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(mach, "transitions"), i, t)
    {
        json_array_append_new(out, json_pack("{s:O,s:O,s:b}", "from", json_object_get(t, "from"),
                                             "to", json_object_get(t, "to"), "approval",
                                             json_is_true(json_object_get(t, "approval"))));
    }
    return out;
}

enum rk_status rk_ref_get(struct rk_store *s, const struct rk_actor *who, json_t **out,
                          struct rk_error *err)
{
    static const char *const cat_extra[] = {"bucket", NULL};
    static const char *const state_extra[] = {"final", NULL};
    struct rk_conn *c = NULL;
    struct rk_access a;
    enum rk_status rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK)
        rc = rk__access_require(&a, RK_PERM_REF, err);
    rk__conn_put(s, c);
    if (rc != RK_OK)
        return rc;
    const struct rk_ref *r = s->ref;
    json_t *rep = json_object_get(r->wf, "report"), *cas = json_object_get(r->wf, "case");
    json_t *o = json_pack(
        "{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:O,s:O}", "categories",
        labels(json_object_get(r->cat, "categories"), cat_extra), "buckets",
        labels(json_object_get(r->cat, "buckets"), NULL), "intake_types",
        labels(json_object_get(r->cat, "intake_types"), NULL), "channels",
        labels(json_object_get(r->cat, "channels"), NULL), "reporter_types",
        labels(json_object_get(r->cat, "reporter_types"), NULL), "report_states",
        labels(json_object_get(rep, "states"), state_extra), "case_states",
        labels(json_object_get(cas, "states"), state_extra), "report_transitions",
        transitions(rep), "case_transitions", transitions(cas), "tlp",
        labels(json_object_get(r->cat, "tlp"), NULL), "scopes",
        labels(json_object_get(r->cat, "scopes"), NULL), "observable_roles",
        labels(json_object_get(r->cat, "observable_roles"), NULL), "case_relations",
        labels(json_object_get(r->cat, "case_relations"), NULL), "roles",
        /* The one source of role labels for the UI (DOMAIN.md §7 glossary); every role of
         * rk_role_name() in include/renkei/service.h. */
        json_pack("[{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s},"
                  "{s:s,s:s,s:s}]",
                  "code", "station", "ja", "警察署員", "en", "Station officer", "code",
                  "analyst", "ja", "本部分析官", "en", "HQ analyst", "code", "supervisor", "ja",
                  "所属長・決裁者", "en", "Supervisor", "code", "admin", "ja", "システム管理者",
                  "en", "Administrator", "code", "partner", "ja", "協定先", "en", "Partner",
                  "code", "peer", "ja", "連携先システム", "en", "Peer system"),
        "report_initial", json_object_get(rep, "initial"), "case_initial",
        json_object_get(cas, "initial"));
    if (o == NULL)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; OPTIONAL_LISTS[i] != NULL; i++)
        json_object_set_new(o, OPTIONAL_LISTS[i],
                            labels(json_object_get(r->cat, OPTIONAL_LISTS[i]), NULL));
    *out = o;
    return RK_OK;
}
