/* Positioned YAML reading straight from libyaml's events.
 *
 * Builds the PMap/PList containers of meshlint.core.nodes with a span for every key,
 * value and item, without PyYAML's node graph. The event loop is iterative (one frame
 * per open container), so nesting never grows the C stack. Plain scalars that Kubernetes
 * may read differently, and scalars with explicit tags, are resolved by a Python
 * callback; messages are worded on the Python side (meshlint/loader/native.py), which
 * receives issues as (code, argument, span, document) tuples.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <string.h>

#include "yaml.h"

#define MERGE_TAG "tag:yaml.org,2002:merge"
#define NULL_TAG "tag:yaml.org,2002:null"

static PyTypeObject *map_type, *list_type;
static Py_ssize_t off_map_span, off_map_keys, off_map_values, off_list_span, off_list_items;
static PyObject *scalar_callback, *expanded_callback, *empty_tuple;

/* What the parent of a finished node needs to know about it. */
typedef struct {
    int is_scalar, plain, null_empty, is_merge;
    size_t start_index, end_index;
    PyObject *raw;       /* borrowed: a scalar's text */
    PyObject *pair_text; /* borrowed: the text Go reads for a flow pair, or NULL */
    Py_ssize_t issues_at;
} info_t;

typedef struct {
    PyObject *obj, *span, *raw, *note;
    int is_scalar, plain, null_empty, is_merge;
    size_t start_index, end_index;
    long level;        /* a container's nesting level while it is open */
    yaml_mark_t start; /* a container's start */
} anchor_t;

typedef struct {
    int is_map, flow;
    PyObject *obj, *spans1, *spans2; /* item_spans, or key_spans and value_spans */
    yaml_mark_t start;
    Py_ssize_t anchor;
    /* mapping state */
    int have_key, key_is_merge, self_merge;
    PyObject *key, *key_span, *merges;
    /* flow-pair shape */
    Py_ssize_t pairs, issues_at;
    int k_scalar, k_plain, v_scalar, v_null_empty;
    size_t k_start, k_end, v_start;
    PyObject *k_raw;
} frame_t;

typedef struct {
    yaml_parser_t parser;
    long max_depth, max_documents;
    Py_ssize_t max_expanded, key_budget;
    PyObject *docs, *issues, *anchors_by_name, *keys; /* keys: one object per distinct key */
    PyObject **lines;
    size_t n_lines;
    anchor_t *anchors;
    Py_ssize_t n_anchors, cap_anchors;
    Py_ssize_t *open; /* anchored containers not yet closed, innermost last */
    Py_ssize_t n_open, cap_open;
    frame_t *frames;
    Py_ssize_t depth, cap_frames;
    /* document state */
    long doc_index;
    Py_ssize_t doc_issues_at;
    int aliased, skipping, counting_only, placeholders;
    long level, skip_target;
    PyObject *root, *root_span, *skip_code, *skip_span;
    yaml_mark_t root_start, root_end, skip_start;
} parser_t;

static PyObject *line_obj(parser_t *p, size_t line) {
    if (line >= p->n_lines) {
        size_t n = line * 2 + 64;
        PyObject **grown = PyMem_Realloc(p->lines, n * sizeof(PyObject *));
        if (!grown) return PyErr_NoMemory();
        memset(grown + p->n_lines, 0, (n - p->n_lines) * sizeof(PyObject *));
        p->lines = grown;
        p->n_lines = n;
    }
    if (!p->lines[line] && !(p->lines[line] = PyLong_FromSize_t(line))) return NULL;
    Py_INCREF(p->lines[line]);
    return p->lines[line];
}

static PyObject *make_span(parser_t *p, yaml_mark_t s, yaml_mark_t e) {
    PyObject *t = PyTuple_New(4);
    if (!t) return NULL;
    PyObject *a = line_obj(p, s.line), *b = PyLong_FromSize_t(s.column);
    PyObject *c = line_obj(p, e.line), *d = PyLong_FromSize_t(e.column);
    if (a) PyTuple_SET_ITEM(t, 0, a);
    if (b) PyTuple_SET_ITEM(t, 1, b);
    if (c) PyTuple_SET_ITEM(t, 2, c);
    if (d) PyTuple_SET_ITEM(t, 3, d);
    if (!a || !b || !c || !d) {
        Py_DECREF(t);
        return NULL;
    }
    PyObject_GC_UnTrack(t); /* ints only: never in a cycle, and the dicts holding it stay untracked */
    return t;
}

static void set_slot(PyObject *obj, Py_ssize_t offset, PyObject *value) {
    PyObject **slot = (PyObject **)((char *)obj + offset);
    Py_XSETREF(*slot, value);
}

static PyObject *get_slot(PyObject *obj, Py_ssize_t offset) {
    return *(PyObject **)((char *)obj + offset);
}

static int add_issue(parser_t *p, const char *code, PyObject *arg, PyObject *span, int with_doc) {
    PyObject *doc = with_doc ? PyLong_FromLong(p->doc_index) : Py_NewRef(Py_None);
    if (!doc) return -1;
    PyObject *t = Py_BuildValue("(sOON)", code, arg ? arg : Py_None, span ? span : Py_None, doc);
    if (!t) return -1;
    int rc = PyList_Append(p->issues, t);
    Py_DECREF(t);
    return rc;
}

static int truncate_issues(parser_t *p, Py_ssize_t at) {
    return PyList_SetSlice(p->issues, at, PyList_GET_SIZE(p->issues), NULL);
}

static void clear_frame(frame_t *f) {
    Py_CLEAR(f->obj);
    Py_CLEAR(f->spans1);
    Py_CLEAR(f->spans2);
    Py_CLEAR(f->key);
    Py_CLEAR(f->key_span);
    Py_CLEAR(f->merges);
    Py_CLEAR(f->k_raw);
}

static void clear_frames(parser_t *p) {
    while (p->depth > 0) clear_frame(&p->frames[--p->depth]);
}

static void clear_anchors(parser_t *p) {
    for (Py_ssize_t i = 0; i < p->n_anchors; i++) {
        anchor_t *a = &p->anchors[i];
        Py_CLEAR(a->obj);
        Py_CLEAR(a->span);
        Py_CLEAR(a->raw);
        Py_CLEAR(a->note);
    }
    p->n_anchors = 0;
    p->n_open = 0;
    PyDict_Clear(p->anchors_by_name);
}

static void clear_document(parser_t *p) {
    clear_frames(p);
    clear_anchors(p);
    Py_CLEAR(p->root);
    Py_CLEAR(p->root_span);
    Py_CLEAR(p->skip_code);
    Py_CLEAR(p->skip_span);
}

/* A composer error at `mark`, worded as PyYAML's C parser words it. */
static int composer_error(parser_t *p, const char *message, yaml_mark_t mark) {
    PyObject *span = Py_BuildValue("(nnnn)", (Py_ssize_t)mark.line, (Py_ssize_t)mark.column,
                                   (Py_ssize_t)mark.line, (Py_ssize_t)mark.column + 1);
    if (!span) return -1;
    if (truncate_issues(p, p->doc_issues_at) < 0) return -1;
    PyObject *msg = PyUnicode_FromString(message);
    if (!msg) return -1;
    int rc = add_issue(p, "syntax", msg, span, 0);
    Py_DECREF(msg);
    Py_DECREF(span);
    return rc < 0 ? -1 : 1;
}

/* Registers an anchor; 1 when it is a duplicate (a syntax issue was added), -1 on error. */
static int new_anchor(parser_t *p, yaml_char_t *name, yaml_mark_t mark, Py_ssize_t *out) {
    *out = -1;
    if (!name) return 0;
    PyObject *key = PyUnicode_FromString((const char *)name);
    if (!key) return -1;
    int known = PyDict_Contains(p->anchors_by_name, key);
    if (known) {
        Py_DECREF(key);
        return known < 0 ? -1 : composer_error(p, "found duplicate anchor; first occurrence: "
                                                  "second occurrence", mark);
    }
    if (p->n_anchors == p->cap_anchors) {
        Py_ssize_t n = p->cap_anchors * 2 + 16;
        anchor_t *grown = PyMem_Realloc(p->anchors, n * sizeof(anchor_t));
        if (!grown) {
            Py_DECREF(key);
            PyErr_NoMemory();
            return -1;
        }
        p->anchors = grown;
        p->cap_anchors = n;
    }
    anchor_t *a = &p->anchors[p->n_anchors];
    memset(a, 0, sizeof(anchor_t));
    PyObject *index = PyLong_FromSsize_t(p->n_anchors);
    int rc = index ? PyDict_SetItem(p->anchors_by_name, key, index) : -1;
    Py_XDECREF(index);
    Py_DECREF(key);
    if (rc < 0) return -1;
    *out = p->n_anchors++;
    return 0;
}

/* Enters skip mode: the rest of the document is parsed, not built. */
static void start_skipping(parser_t *p, const char *code, PyObject *span, long target) {
    clear_frames(p);
    p->skipping = 1;
    p->skip_code = PyUnicode_FromString(code);
    p->skip_span = span;
    p->skip_target = target;
}

/* `open`: the anchor of the key when it is a container not yet closed (its span unknown). */
static int charge_key(parser_t *p, PyObject *key, PyObject *span, anchor_t *open) {
    if (!p->aliased) return 0;
    if (!PyObject_TypeCheck(key, map_type) && !PyObject_TypeCheck(key, list_type)) return 0;
    PyObject *size = PyObject_CallFunction(expanded_callback, "On", key, p->key_budget);
    if (!size) return -1;
    if (size == Py_None) {
        Py_DECREF(size);
        if (open) {
            start_skipping(p, "recursive-key", NULL, open->level - 1);
            p->skip_start = open->start;
        } else {
            start_skipping(p, "recursive-key", Py_NewRef(span), -1);
        }
        return 1;
    }
    Py_ssize_t n = PyLong_AsSsize_t(size);
    Py_DECREF(size);
    if (n == -1 && PyErr_Occurred()) return -1;
    p->key_budget -= n;
    if (p->key_budget < 0) {
        if (open) {
            start_skipping(p, "bomb-key", NULL, open->level - 1);
            p->skip_start = open->start;
        } else {
            start_skipping(p, "bomb-key", Py_NewRef(span), -1);
        }
        return 1;
    }
    return 0;
}

static int add_merge_sources(frame_t *f, PyObject *value) {
    if (!f->merges && !(f->merges = PyList_New(0))) return -1;
    if (PyObject_TypeCheck(value, map_type)) return PyList_Append(f->merges, value);
    if (PyObject_TypeCheck(value, list_type)) {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(value); i++) {
            PyObject *item = PyList_GET_ITEM(value, i);
            if (PyObject_TypeCheck(item, map_type) && PyList_Append(f->merges, item) < 0)
                return -1;
        }
    }
    return 0;
}

/* Hands a finished node (value and span are stolen) to the open container or the
 * document. `open`: the anchor of an alias to a container not yet closed (an ancestor),
 * whose span stands in for its own until native.py replaces it at the document's end. */
static int deliver(parser_t *p, PyObject *value, PyObject *span, info_t *info, anchor_t *open) {
    int rc = 0;
    if (p->depth == 0) {
        p->root = value;
        p->root_span = span;
        return 0;
    }
    frame_t *f = &p->frames[p->depth - 1];
    if (!f->is_map) {
        if (info->pair_text && f->flow) {
            if (truncate_issues(p, info->issues_at) < 0) goto fail;
            if (add_issue(p, "pair", info->pair_text, span, 1) < 0) goto fail;
            Py_SETREF(value, Py_NewRef(info->pair_text));
        }
        if (PyList_Append(f->obj, value) < 0 || PyList_Append(f->spans1, span) < 0) goto fail;
    } else if (!f->have_key) {
        f->have_key = 1;
        f->key_is_merge = info->is_merge;
        if (f->pairs++ == 0) {
            f->k_scalar = info->is_scalar;
            f->k_plain = info->plain;
            f->k_start = info->start_index;
            f->k_end = info->end_index;
            f->k_raw = Py_XNewRef(info->raw);
        }
        if (!info->is_merge) {
            if (!PyUnicode_Check(value)) {
                if (!info->is_scalar) {
                    int charged = charge_key(p, value, span, open);
                    if (charged < 0) goto fail;
                    if (charged) goto done; /* the document is skipped from here on */
                    Py_SETREF(value, PyObject_Str(value));
                    if (!value) goto fail;
                } else {
                    Py_SETREF(value, Py_NewRef(info->raw));
                }
            }
            PyObject *shared = PyDict_SetDefault(p->keys, value, value);
            if (!shared) goto fail;
            Py_SETREF(value, Py_NewRef(shared));
            int dup = PyDict_Contains(f->obj, value);
            if (dup < 0 || (dup && add_issue(p, "duplicate", value, span, 1) < 0)) goto fail;
            f->key = value;
            value = NULL;
        }
        f->key_span = span;
        span = NULL;
    } else {
        f->have_key = 0;
        if (f->pairs == 1) {
            f->v_scalar = info->is_scalar;
            f->v_null_empty = info->null_empty;
            f->v_start = info->start_index;
        }
        if (f->key_is_merge) {
            if (add_merge_sources(f, value) < 0) goto fail;
        } else {
            if (PyDict_SetItem(f->obj, f->key, value) < 0 ||
                PyDict_SetItem(f->spans1, f->key, f->key_span) < 0 ||
                PyDict_SetItem(f->spans2, f->key, span) < 0)
                goto fail;
        }
        Py_CLEAR(f->key);
        Py_CLEAR(f->key_span);
    }
    goto done;
fail:
    rc = -1;
done:
    Py_XDECREF(value);
    Py_XDECREF(span);
    return rc;
}

/* Whether `s` has a character that no YAML 1.1 number or timestamp, and no number of Go's
 * YAML, can hold: then PyYAML and Kubernetes both read it as text. */
static int never_a_number(const char *s, size_t n) {
    static const char numeric[] = "0123456789abcdefABCDEFxXoOtTzZiInN._:+- \t";
    for (size_t i = 0; i < n; i++) {
        if (!memchr(numeric, s[i], sizeof(numeric) - 1)) return 1;
    }
    return 0;
}

static int is_word(const char *s, size_t n, const char *const *words) {
    for (; *words; words++) {
        if (strlen(*words) == n && !memcmp(s, *words, n)) return 1;
    }
    return 0;
}

/* Plain words starting with y, n or o that a resolver or Kubernetes reads as no string. */
static const char *const SPECIAL_WORDS[] = {
    "y", "Y", "n", "N", "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON",
    "off", "Off", "OFF", "null", "Null", "NULL", NULL,
};

/* The value of an untagged plain scalar when it needs no Python: NULL otherwise. */
static PyObject *plain_fast(const char *s, size_t n, int *merge) {
    char c = n ? s[0] : 0;
    if (n == 0) Py_RETURN_NONE;
    if (c >= '0' && c <= '9' && n <= 18 && (c != '0' || n == 1)) {
        long long v = 0;
        size_t i = 0;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) v = v * 10 + (s[i] - '0');
        if (i == n) return PyLong_FromLongLong(v);
    }
    if (strchr("0123456789+-.", c)) {
        return never_a_number(s, n) ? PyUnicode_DecodeUTF8(s, n, "strict") : NULL;
    }
    if (strchr("yYnNoO", c)) {
        return is_word(s, n, SPECIAL_WORDS) ? NULL : PyUnicode_DecodeUTF8(s, n, "strict");
    }
    if (n == 4 && (!memcmp(s, "true", 4) || !memcmp(s, "True", 4) || !memcmp(s, "TRUE", 4)))
        Py_RETURN_TRUE;
    if (n == 5 && (!memcmp(s, "false", 5) || !memcmp(s, "False", 5) || !memcmp(s, "FALSE", 5)))
        Py_RETURN_FALSE;
    if (n == 1 && c == '~') Py_RETURN_NONE;
    if (n == 2 && c == '<' && s[1] == '<') *merge = 1;
    return PyUnicode_DecodeUTF8(s, n, "strict");
}

static int check_root_mark(parser_t *p, yaml_event_t *ev, int opens) {
    if (p->level == 0) {
        p->root_start = ev->start_mark;
        if (!opens) p->root_end = ev->end_mark;
    }
    return 0;
}

static int on_alias(parser_t *p, yaml_event_t *ev) {
    PyObject *name = PyUnicode_FromString((const char *)ev->data.alias.anchor);
    if (!name) return -1;
    PyObject *index = PyDict_GetItemWithError(p->anchors_by_name, name);
    Py_DECREF(name);
    if (!index) return PyErr_Occurred() ? -1 : composer_error(p, "found undefined alias",
                                                              ev->start_mark);
    check_root_mark(p, ev, 0);
    if (p->skipping) return 0;
    anchor_t *a = &p->anchors[PyLong_AsSsize_t(index)];
    info_t info = {a->is_scalar, a->plain, a->null_empty, a->is_merge, a->start_index,
                   a->end_index, a->raw, NULL, 0};
    PyObject *span = Py_NewRef(a->span ? a->span : a->obj);
    if (!a->span) p->placeholders = 1;
    if (a->is_scalar && a->note && add_issue(p, "note", a->note, a->span, 1) < 0) {
        Py_DECREF(span);
        return -1;
    }
    if (!a->is_scalar) p->aliased = 1;
    return deliver(p, Py_NewRef(a->obj), span, &info, a->span ? NULL : a);
}

static int on_scalar(parser_t *p, yaml_event_t *ev) {
    Py_ssize_t anchor;
    int rc = new_anchor(p, ev->data.scalar.anchor, ev->start_mark, &anchor);
    if (rc) return rc;
    check_root_mark(p, ev, 0);
    if (p->skipping) return 0;
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    const char *tag = (const char *)ev->data.scalar.tag;
    int plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    int merge = 0;
    PyObject *value = NULL, *note = NULL, *raw = NULL;
    if (!tag && !plain) {
        value = PyUnicode_DecodeUTF8(s, n, "strict");
        raw = Py_XNewRef(value);
    } else {
        if (!tag && ev->data.scalar.plain_implicit) value = plain_fast(s, n, &merge);
        if (value && PyUnicode_Check(value)) raw = Py_NewRef(value);
        if (!value && !PyErr_Occurred()) {
            raw = PyUnicode_DecodeUTF8(s, n, "strict");
            if (!raw) return -1;
            merge = tag ? !strcmp(tag, MERGE_TAG)
                        : (ev->data.scalar.plain_implicit && n == 2 && !memcmp(s, "<<", 2));
            PyObject *tag_obj = tag ? PyUnicode_FromString(tag) : Py_NewRef(Py_None);
            if (!tag_obj) goto fail;
            PyObject *pair = PyObject_CallFunction(scalar_callback, "OOii", raw, tag_obj, plain,
                                                   ev->data.scalar.plain_implicit);
            Py_DECREF(tag_obj);
            if (!pair) goto fail;
            if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
                Py_DECREF(pair);
                PyErr_SetString(PyExc_TypeError, "scalar callback must return a pair");
                goto fail;
            }
            value = Py_NewRef(PyTuple_GET_ITEM(pair, 0));
            note = PyTuple_GET_ITEM(pair, 1);
            note = note == Py_None ? NULL : Py_NewRef(note);
            Py_DECREF(pair);
        }
    }
    if (!value) goto fail;
    if (!raw && !(raw = PyUnicode_DecodeUTF8(s, n, "strict"))) goto fail;
    PyObject *span = make_span(p, ev->start_mark, ev->end_mark);
    if (!span) goto fail;
    if (note && add_issue(p, "note", note, span, 1) < 0) {
        Py_DECREF(span);
        goto fail;
    }
    int null_empty = plain && n == 0 && (tag ? !strcmp(tag, NULL_TAG) : ev->data.scalar.plain_implicit);
    info_t info = {1, plain, null_empty, merge, ev->start_mark.index, ev->end_mark.index, raw, NULL, 0};
    if (anchor >= 0) {
        anchor_t *a = &p->anchors[anchor];
        a->obj = Py_NewRef(value);
        a->span = Py_NewRef(span);
        a->raw = Py_NewRef(raw);
        a->note = Py_XNewRef(note);
        a->is_scalar = 1;
        a->plain = plain;
        a->null_empty = null_empty;
        a->is_merge = merge;
        a->start_index = ev->start_mark.index;
        a->end_index = ev->end_mark.index;
    }
    rc = deliver(p, value, span, &info, NULL);
    Py_XDECREF(note);
    Py_DECREF(raw);
    return rc;
fail:
    Py_XDECREF(value);
    Py_XDECREF(note);
    Py_XDECREF(raw);
    return -1;
}

static int on_start(parser_t *p, yaml_event_t *ev, int is_map) {
    Py_ssize_t anchor;
    yaml_char_t *anchor_name = is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
    const char *tag = (const char *)(is_map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag);
    int rc = new_anchor(p, anchor_name, ev->start_mark, &anchor);
    if (rc) return rc;
    check_root_mark(p, ev, 1);
    p->level++;
    if (anchor >= 0) {
        if (p->n_open == p->cap_open) {
            Py_ssize_t n = p->cap_open * 2 + 16;
            Py_ssize_t *grown = PyMem_Realloc(p->open, n * sizeof(Py_ssize_t));
            if (!grown) {
                PyErr_NoMemory();
                return -1;
            }
            p->open = grown;
            p->cap_open = n;
        }
        p->open[p->n_open++] = anchor;
        p->anchors[anchor].level = p->level;
        p->anchors[anchor].start = ev->start_mark;
    }
    if (p->skipping) return 0;
    if (p->depth > p->max_depth) {
        start_skipping(p, "deep", NULL, p->level - 1);
        p->skip_start = ev->start_mark;
        return 0;
    }
    if (p->depth == p->cap_frames) {
        Py_ssize_t n = p->cap_frames * 2 + 32;
        frame_t *grown = PyMem_Realloc(p->frames, n * sizeof(frame_t));
        if (!grown) {
            PyErr_NoMemory();
            return -1;
        }
        p->frames = grown;
        p->cap_frames = n;
    }
    frame_t *f = &p->frames[p->depth];
    memset(f, 0, sizeof(frame_t));
    f->is_map = is_map;
    f->flow = is_map ? ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                     : ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
    f->start = ev->start_mark;
    f->anchor = anchor;
    f->issues_at = PyList_GET_SIZE(p->issues);
    f->self_merge = tag && !strcmp(tag, MERGE_TAG);
    PyTypeObject *type = is_map ? map_type : list_type;
    f->obj = type->tp_new(type, empty_tuple, NULL);
    if (!f->obj) return -1;
    p->depth++;
    if (is_map) {
        f->spans1 = PyDict_New();
        f->spans2 = PyDict_New();
        if (!f->spans1 || !f->spans2) return -1;
        set_slot(f->obj, off_map_keys, Py_NewRef(f->spans1));
        set_slot(f->obj, off_map_values, Py_NewRef(f->spans2));
    } else {
        f->spans1 = PyList_New(0);
        if (!f->spans1) return -1;
        set_slot(f->obj, off_list_items, Py_NewRef(f->spans1));
    }
    if (anchor >= 0) p->anchors[anchor].obj = Py_NewRef(f->obj);
    return 0;
}

static int apply_merges(frame_t *f) {
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(f->merges); i++) {
        PyObject *source = PyList_GET_ITEM(f->merges, i);
        PyObject *keys = get_slot(source, off_map_keys), *values = get_slot(source, off_map_values);
        PyObject *items = PyDict_Items(source);
        if (!items) return -1;
        for (Py_ssize_t j = 0; j < PyList_GET_SIZE(items); j++) {
            PyObject *key = PyTuple_GET_ITEM(PyList_GET_ITEM(items, j), 0);
            PyObject *value = PyTuple_GET_ITEM(PyList_GET_ITEM(items, j), 1);
            int known = PyDict_Contains(f->obj, key);
            if (known) {
                if (known < 0) goto fail;
                continue;
            }
            PyObject *ks = keys ? PyObject_GetItem(keys, key) : NULL;
            PyObject *vs = ks && values ? PyObject_GetItem(values, key) : NULL;
            int bad = !vs || PyDict_SetItem(f->obj, key, value) < 0 ||
                      PyDict_SetItem(f->spans1, key, ks) < 0 || PyDict_SetItem(f->spans2, key, vs) < 0;
            Py_XDECREF(ks);
            Py_XDECREF(vs);
            if (bad) {
                if (!PyErr_Occurred()) PyErr_SetString(PyExc_KeyError, "merge source without spans");
                goto fail;
            }
        }
        Py_DECREF(items);
        continue;
    fail:
        Py_DECREF(items);
        return -1;
    }
    return 0;
}

static int on_end(parser_t *p, yaml_event_t *ev) {
    if (p->n_open && p->anchors[p->open[p->n_open - 1]].level == p->level) {
        /* an anchored container closes: its span is known from now on, even when skipping */
        anchor_t *a = &p->anchors[p->open[--p->n_open]];
        if (!(a->span = make_span(p, a->start, ev->end_mark))) return -1;
        if (a->obj) {
            PyTypeObject *type = Py_TYPE(a->obj);
            set_slot(a->obj, type == map_type ? off_map_span : off_list_span, Py_NewRef(a->span));
        }
    }
    p->level--;
    if (p->level == 0) p->root_end = ev->end_mark;
    if (p->skipping) {
        if (p->skip_target >= 0 && p->level == p->skip_target && !p->skip_span) {
            p->skip_span = make_span(p, p->skip_start, ev->end_mark);
            if (!p->skip_span) return -1;
        }
        return 0;
    }
    frame_t *f = &p->frames[p->depth - 1];
    if (f->merges && apply_merges(f) < 0) return -1;
    PyObject *span = make_span(p, f->start, ev->end_mark);
    if (!span) return -1;
    set_slot(f->obj, f->is_map ? off_map_span : off_list_span, Py_NewRef(span));
    info_t info = {0, 0, 0, f->self_merge, f->start.index, ev->end_mark.index, NULL, NULL,
                   f->issues_at};
    PyObject *pair_text = NULL;
    if (f->is_map && f->flow && f->pairs == 1 && f->k_scalar && f->k_plain && f->v_scalar &&
        f->v_null_empty && f->v_start == f->k_end + 1 && f->start.index == f->k_start) {
        pair_text = PyUnicode_FromFormat("%U:", f->k_raw);
        if (!pair_text) {
            Py_DECREF(span);
            return -1;
        }
        info.pair_text = pair_text;
    }
    PyObject *obj = Py_NewRef(f->obj);
    p->depth--;
    clear_frame(f);
    int rc = deliver(p, obj, span, &info, NULL);
    Py_XDECREF(pair_text);
    return rc;
}

static int on_document_start(parser_t *p) {
    p->doc_issues_at = PyList_GET_SIZE(p->issues);
    p->aliased = 0;
    p->placeholders = 0;
    p->skipping = 0;
    p->level = 0;
    p->key_budget = p->max_expanded;
    if (p->doc_index >= p->max_documents) {
        p->counting_only = 1;
        p->skipping = 1;
        p->skip_target = -1;
    }
    return 0;
}

/* 1: stop reading (the document limit was reached). */
static int on_document_end(parser_t *p) {
    PyObject *span = make_span(p, p->root_start, p->root_end);
    if (!span) return -1;
    int rc = 0;
    if (p->counting_only) {
        rc = add_issue(p, "documents", NULL, span, 1);
        Py_DECREF(span);
        return rc < 0 ? -1 : 1;
    }
    if (!p->skipping && p->aliased) {
        PyObject *size = PyObject_CallFunction(expanded_callback, "On", p->root, p->max_expanded);
        if (!size) goto fail;
        if (size == Py_None) {
            start_skipping(p, "recursive-doc", Py_NewRef(span), -1);
        } else {
            Py_ssize_t n = PyLong_AsSsize_t(size);
            if (n == -1 && PyErr_Occurred()) {
                Py_DECREF(size);
                goto fail;
            }
            if (n > p->max_expanded) start_skipping(p, "bomb-doc", Py_NewRef(span), -1);
        }
        Py_DECREF(size);
    }
    if (p->skipping) {
        const char *code = PyUnicode_AsUTF8(p->skip_code);
        if (!code || add_issue(p, code, NULL, p->skip_span, 1) < 0) goto fail;
    }
    PyObject *entry = Py_BuildValue("(lOOOO)", p->doc_index, p->skipping ? Py_None : p->root, span,
                                    p->skipping ? Py_True : Py_False,
                                    p->placeholders ? Py_True : Py_False);
    if (!entry || PyList_Append(p->docs, entry) < 0) {
        Py_XDECREF(entry);
        goto fail;
    }
    Py_DECREF(entry);
    Py_DECREF(span);
    clear_document(p);
    p->doc_issues_at = PyList_GET_SIZE(p->issues);
    p->doc_index++;
    return 0;
fail:
    Py_DECREF(span);
    return -1;
}

/* A libyaml error as PyYAML's `_describe` and `_problem_span` render it. */
static int syntax_error(parser_t *p, int *fallback) {
    yaml_parser_t *y = &p->parser;
    if (y->error == YAML_MEMORY_ERROR) {
        PyErr_NoMemory();
        return -1;
    }
    PyObject *msg = NULL, *span = NULL;
    const char *problem = y->problem ? y->problem : "";
    if (y->error == YAML_READER_ERROR) {
        char head[64];
        snprintf(head, sizeof(head), "unacceptable character #x%04x: ", y->problem_value);
        msg = PyUnicode_FromFormat("%s%s", head, problem);
        span = Py_NewRef(Py_None);
    } else {
        const char *context = y->context;
        if ((context && strstr(context, "found unexpected ':'")) ||
            strstr(problem, "found unexpected ':'")) {
            *fallback = 1;
            return 0;
        }
        msg = context && *problem ? PyUnicode_FromFormat("%s: %s", context, problem)
                                  : PyUnicode_FromString(*problem ? problem : context ? context : "");
        yaml_mark_t m = y->problem ? y->problem_mark : y->context_mark;
        span = Py_BuildValue("(nnnn)", (Py_ssize_t)m.line, (Py_ssize_t)m.column,
                             (Py_ssize_t)m.line, (Py_ssize_t)m.column + 1);
    }
    int rc = -1;
    if (msg && span && truncate_issues(p, p->doc_issues_at) == 0)
        rc = add_issue(p, "syntax", msg, span, 0);
    Py_XDECREF(msg);
    Py_XDECREF(span);
    return rc;
}

static int run(parser_t *p, int *fallback) {
    yaml_event_t ev;
    for (unsigned long count = 1;; count++) {
        /* a time limit (SIGALRM) or Ctrl-C interrupts a long parse */
        if (count % 4096 == 0 && PyErr_CheckSignals() < 0) return -1;
        if (!yaml_parser_parse(&p->parser, &ev)) return syntax_error(p, fallback);
        int rc = 0, stop = 0;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            stop = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            rc = on_document_start(p);
            break;
        case YAML_DOCUMENT_END_EVENT:
            rc = on_document_end(p);
            break;
        case YAML_ALIAS_EVENT:
            rc = on_alias(p, &ev);
            break;
        case YAML_SCALAR_EVENT:
            rc = on_scalar(p, &ev);
            break;
        case YAML_SEQUENCE_START_EVENT:
            rc = on_start(p, &ev, 0);
            break;
        case YAML_MAPPING_START_EVENT:
            rc = on_start(p, &ev, 1);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            rc = on_end(p, &ev);
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (rc < 0) return -1;
        if (rc > 0 || stop) return 0;
    }
}

static PyObject *fastyaml_parse(PyObject *self, PyObject *args) {
    PyObject *text;
    parser_t p;
    memset(&p, 0, sizeof(p));
    if (!PyArg_ParseTuple(args, "Ulln", &text, &p.max_depth, &p.max_documents, &p.max_expanded))
        return NULL;
    if (!map_type) {
        PyErr_SetString(PyExc_RuntimeError, "_fastyaml.configure() was not called");
        return NULL;
    }
    PyObject *data = PyUnicode_AsUTF8String(text);
    if (!data) return NULL;
    PyObject *result = NULL;
    int fallback = 0;
    p.docs = PyList_New(0);
    p.issues = PyList_New(0);
    p.anchors_by_name = PyDict_New();
    p.keys = PyDict_New();
    if (!p.docs || !p.issues || !p.anchors_by_name || !p.keys) goto done;
    if (!yaml_parser_initialize(&p.parser)) {
        PyErr_NoMemory();
        goto done;
    }
    yaml_parser_set_input_string(&p.parser, (const unsigned char *)PyBytes_AS_STRING(data),
                                 (size_t)PyBytes_GET_SIZE(data));
    yaml_parser_set_encoding(&p.parser, YAML_UTF8_ENCODING);
    int rc = run(&p, &fallback);
    yaml_parser_delete(&p.parser);
    if (rc == 0) result = Py_BuildValue("(OOO)", p.docs, p.issues, fallback ? Py_True : Py_False);
done:
    clear_document(&p);
    for (size_t i = 0; i < p.n_lines; i++) Py_XDECREF(p.lines[i]);
    PyMem_Free(p.lines);
    PyMem_Free(p.anchors);
    PyMem_Free(p.open);
    PyMem_Free(p.frames);
    Py_XDECREF(p.docs);
    Py_XDECREF(p.issues);
    Py_XDECREF(p.anchors_by_name);
    Py_XDECREF(p.keys);
    Py_DECREF(data);
    return result;
}

/* The positioned document meshlint.cache.encoding.encode gave as nested tuples:
 * (0, span, keys, values, key spans, value spans) for a mapping, (1, span, items, item
 * spans) for a sequence, scalars as they are. */
static PyObject *decode_value(PyObject *v);

static int decode_bad(void) {
    PyErr_SetString(PyExc_ValueError, "not an encoded document");
    return -1;
}

static int decode_items(PyObject *obj, PyObject *keys, PyObject *values, PyObject *kspans,
                        PyObject *vspans, PyObject *ks, PyObject *vs) {
    Py_ssize_t n = PyTuple_GET_SIZE(values);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = decode_value(PyTuple_GET_ITEM(values, i));
        if (!item) return -1;
        int rc;
        if (keys) {
            PyObject *key = PyTuple_GET_ITEM(keys, i);
            rc = PyDict_SetItem(obj, key, item);
            if (rc == 0) rc = PyDict_SetItem(ks, key, PyTuple_GET_ITEM(kspans, i));
            if (rc == 0) rc = PyDict_SetItem(vs, key, PyTuple_GET_ITEM(vspans, i));
        } else {
            rc = PyList_Append(obj, item);
            if (rc == 0) rc = PyList_Append(ks, PyTuple_GET_ITEM(kspans, i));
        }
        Py_DECREF(item);
        if (rc < 0) return -1;
    }
    return 0;
}

static PyObject *decode_container(PyObject *v) {
    Py_ssize_t n = PyTuple_GET_SIZE(v);
    long tag = n ? PyLong_AsLong(PyTuple_GET_ITEM(v, 0)) : -1;
    if (tag == -1 && PyErr_Occurred()) return NULL;
    int is_map = tag == 0 && n == 6;
    if (!is_map && !(tag == 1 && n == 4)) return decode_bad(), NULL;
    PyObject *keys = is_map ? PyTuple_GET_ITEM(v, 2) : NULL;
    PyObject *values = PyTuple_GET_ITEM(v, is_map ? 3 : 2);
    PyObject *kspans = PyTuple_GET_ITEM(v, is_map ? 4 : 3);
    PyObject *vspans = is_map ? PyTuple_GET_ITEM(v, 5) : NULL;
    if (!PyTuple_CheckExact(values) || !PyTuple_CheckExact(kspans) ||
        PyTuple_GET_SIZE(kspans) != PyTuple_GET_SIZE(values) ||
        (is_map && (!PyTuple_CheckExact(keys) || !PyTuple_CheckExact(vspans) ||
                    PyTuple_GET_SIZE(keys) != PyTuple_GET_SIZE(values) ||
                    PyTuple_GET_SIZE(vspans) != PyTuple_GET_SIZE(values))))
        return decode_bad(), NULL;
    PyTypeObject *type = is_map ? map_type : list_type;
    PyObject *obj = type->tp_new(type, empty_tuple, NULL);
    if (!obj) return NULL;
    PyObject *ks = is_map ? PyDict_New() : PyList_New(0);
    PyObject *vs = is_map ? PyDict_New() : NULL;
    if (!ks || (is_map && !vs)) goto fail;
    set_slot(obj, is_map ? off_map_span : off_list_span, Py_NewRef(PyTuple_GET_ITEM(v, 1)));
    set_slot(obj, is_map ? off_map_keys : off_list_items, Py_NewRef(ks));
    if (is_map) set_slot(obj, off_map_values, Py_NewRef(vs));
    if (decode_items(obj, keys, values, kspans, vspans, ks, vs) < 0) goto fail;
    Py_DECREF(ks);
    Py_XDECREF(vs);
    return obj;
fail:
    Py_XDECREF(ks);
    Py_XDECREF(vs);
    Py_DECREF(obj);
    return NULL;
}

static PyObject *decode_value(PyObject *v) {
    if (!PyTuple_CheckExact(v)) return Py_NewRef(v);
    if (Py_EnterRecursiveCall(" decoding a cached document")) return NULL;
    PyObject *result = decode_container(v);
    Py_LeaveRecursiveCall();
    return result;
}

static PyObject *fastyaml_decode(PyObject *self, PyObject *value) {
    if (!map_type) {
        PyErr_SetString(PyExc_RuntimeError, "_fastyaml.configure() was not called");
        return NULL;
    }
    return decode_value(value);
}

static int slot_offset(PyTypeObject *type, const char *name, Py_ssize_t *out) {
    for (PyMemberDef *m = type->tp_members; m && m->name; m++) {
        if (!strcmp(m->name, name) && m->type == T_OBJECT_EX) {
            *out = m->offset;
            return 0;
        }
    }
    PyErr_Format(PyExc_TypeError, "%s has no slot %s", type->tp_name, name);
    return -1;
}

static PyObject *fastyaml_configure(PyObject *self, PyObject *args) {
    PyObject *pmap, *plist, *scalar, *expanded;
    if (!PyArg_ParseTuple(args, "O!O!OO", &PyType_Type, &pmap, &PyType_Type, &plist, &scalar,
                          &expanded))
        return NULL;
    PyTypeObject *m = (PyTypeObject *)pmap, *l = (PyTypeObject *)plist;
    if (!PyType_IsSubtype(m, &PyDict_Type) || !PyType_IsSubtype(l, &PyList_Type)) {
        PyErr_SetString(PyExc_TypeError, "expected a dict and a list subclass");
        return NULL;
    }
    if (slot_offset(m, "span", &off_map_span) < 0 || slot_offset(m, "key_spans", &off_map_keys) < 0 ||
        slot_offset(m, "value_spans", &off_map_values) < 0 ||
        slot_offset(l, "span", &off_list_span) < 0 || slot_offset(l, "item_spans", &off_list_items) < 0)
        return NULL;
    Py_XSETREF(map_type, (PyTypeObject *)Py_NewRef(pmap));
    Py_XSETREF(list_type, (PyTypeObject *)Py_NewRef(plist));
    Py_XSETREF(scalar_callback, Py_NewRef(scalar));
    Py_XSETREF(expanded_callback, Py_NewRef(expanded));
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"configure", fastyaml_configure, METH_VARARGS,
     "configure(PMap, PList, scalar, expanded_size): the classes to build and the callbacks."},
    {"parse", fastyaml_parse, METH_VARARGS,
     "parse(text, max_depth, max_documents, max_expanded) -> (documents, issues, fallback)."},
    {"decode", fastyaml_decode, METH_O,
     "decode(encoded) -> the positioned document meshlint.cache.encoding.encode gave."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fastyaml",
                                    "Positioned YAML reading on libyaml's events.", -1, methods};

PyMODINIT_FUNC PyInit__fastyaml(void) {
    empty_tuple = PyTuple_New(0);
    if (!empty_tuple) return NULL;
    return PyModule_Create(&module);
}
