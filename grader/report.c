/*
 * report.c - the score table and the JSON results file.
 */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lines of a test's output shown under it; the rest is counted. */
#define OUTPUT_LINES 20
#define OUTPUT_WIDTH 160

void print_heading(const struct grade_report *r)
{
    printf("Grading the code in %s/\n", r->source);
    printf("Each test runs in a process of its own with a deadline"
           " (scale x%g); processes left behind are killed.\n\n",
           r->scale);
}

/* Print text with each line indented; control characters become \xNN. */
static void print_indented(const char *text, const char *prefix)
{
    int at_start = 1;

    for (const char *p = text; *p; p++) {
        unsigned char c = (unsigned char)*p;

        if (at_start)
            fputs(prefix, stdout);
        at_start = c == '\n';
        if (c == '\n' || c == '\t' || c >= 0x20)
            putchar(c);
        else
            printf("\\x%02x", c);
    }
    if (!at_start)
        putchar('\n');
}

/*
 * The program's output is shown behind "| " on every line, so nothing a
 * student prints can look like a line of the grader's.
 */
static void print_output(const struct test_report *t)
{
    const char *p = t->output;
    int lines = 0;

    printf("        output of the code under test (%ld bytes):\n",
           t->output_bytes);
    while (*p && lines < OUTPUT_LINES) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);

        fputs("        | ", stdout);
        for (size_t i = 0; i < len && i < OUTPUT_WIDTH; i++) {
            unsigned char c = (unsigned char)p[i];

            if (c == '\t' || c >= 0x20)
                putchar(c);
            else
                printf("\\x%02x", c);
        }
        if (len > OUTPUT_WIDTH)
            fputs(" [line cut]", stdout);
        putchar('\n');
        lines++;
        p = end ? end + 1 : p + len;
    }
    if (*p || (long)strlen(t->output) < t->output_bytes)
        printf("        | [%ld more bytes not shown]\n",
               t->output_bytes - (long)(p - t->output));
}

static void print_test(const struct lab_report *lab,
                       const struct test_report *t)
{
    int passed = strcmp(t->verdict, "passed") == 0;

    printf("  %-4s %2d/%-2d  %s%s\n", passed ? "ok" : "FAIL", t->earned,
           t->points, t->hidden ? "(hidden) " : "", t->name);
    /* A lab that did not build says why once, above its tests. */
    if (!passed && t->message && *t->message && !lab->build_failed) {
        print_indented(t->message, "        ");
        printf("        Where to look: %s of labs/%s/README.md\n", t->step,
               lab->folder);
    }
    if (t->output && *t->output)
        print_output(t);
}

void print_lab(struct grade_report *r, struct lab_report *lab)
{
    /* The limits are the same for every lab of a run: say them once. */
    if (*lab->containment && strcmp(lab->containment, r->containment))
        printf("Limits: %s.\n\n", lab->containment);
    snprintf(r->containment, sizeof(r->containment), "%s",
             lab->containment);
    printf("%s\n", lab->folder);
    if (lab->build_failed) {
        printf("  The lab did not build, so none of its tests ran:\n");
        print_indented(lab->problem, "    ");
    } else if (lab->program_failed && *lab->problem) {
        printf("  The test program stopped early. It said:\n");
        print_indented(lab->problem, "    ");
    }
    for (int i = 0; i < lab->count; i++)
        print_test(lab, &lab->tests[i]);
    printf("  subtotal %s: %d/%d\n\n", lab->folder, lab->earned,
           lab->max_points);
    fflush(stdout);
}

void add_lab(struct grade_report *r, struct lab_report *lab)
{
    lab->earned = 0;
    for (int i = 0; i < lab->count; i++)
        lab->earned += lab->tests[i].earned;
    r->earned += lab->earned;
    r->max_points += lab->max_points;
}

void print_total(const struct grade_report *r)
{
    int tests = 0, passed = 0;

    for (int l = 0; l < r->count; l++)
        for (int i = 0; i < r->labs[l].count; i++) {
            tests++;
            passed += strcmp(r->labs[l].tests[i].verdict, "passed") == 0;
        }
    printf("%d of %d tests passed in %.1f s.\n", passed, tests,
           (double)r->elapsed_ms / 1000.0);
    printf("Score: %d/%d\n", r->earned, r->max_points);
    fflush(stdout);
}

/* Length of the valid UTF-8 sequence at s, or 0 when it is not valid. */
static int utf8_length(const unsigned char *s)
{
    int len = s[0] >= 0xf0 && s[0] <= 0xf4   ? 4
              : s[0] >= 0xe0                 ? 3
              : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
                                             : 0;

    for (int i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return len;
}

/* Write s as a JSON string: escaped, and invalid UTF-8 replaced. */
static void json_string(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");

    fputc('"', f);
    while (*p) {
        if (*p == '"' || *p == '\\') {
            fprintf(f, "\\%c", *p++);
        } else if (*p == '\n') {
            fputs("\\n", f);
            p++;
        } else if (*p < 0x20 || *p == 0x7f) {
            fprintf(f, "\\u%04x", *p++);
        } else if (*p < 0x80) {
            fputc(*p++, f);
        } else {
            int len = utf8_length(p);

            if (len == 0) {
                fputs("\\ufffd", f);
                p++;
            } else {
                fwrite(p, 1, (size_t)len, f);
                p += len;
            }
        }
    }
    fputc('"', f);
}

/*
 * Return text with "| " before every line and control characters written
 * as \xNN, as the terminal table shows a program's output. The caller
 * frees the result.
 */
static char *quote_lines(const char *text)
{
    size_t len = strlen(text);
    char *out = malloc(len * 4 + 8), *p = out;
    int at_start = 1;

    if (!out)
        return NULL;
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (at_start)
            p += sprintf(p, "| ");
        at_start = *c == '\n';
        if (*c == '\n' || *c == '\t' || *c >= 0x20)
            *p++ = (char)*c;
        else
            p += sprintf(p, "\\x%02x", *c);
    }
    *p = '\0';
    return out;
}

/* Append text to a growing buffer; give up quietly when memory runs out. */
static void append(char **buf, size_t *len, const char *text)
{
    size_t add = strlen(text);
    char *grown = realloc(*buf, *len + add + 1);

    if (!grown)
        return;
    memcpy(grown + *len, text, add + 1);
    *buf = grown;
    *len += add;
}

static void json_test_output(FILE *f, const struct lab_report *lab,
                             const struct test_report *t)
{
    char *text = NULL, *quoted;
    size_t len = 0;

    append(&text, &len, t->message ? t->message : "");
    if (t->message && *t->message && !lab->build_failed) {
        append(&text, &len, "\nWhere to look: ");
        append(&text, &len, t->step);
        append(&text, &len, " of labs/");
        append(&text, &len, lab->folder);
        append(&text, &len, "/README.md");
    }
    if (lab->build_failed && *lab->problem) {
        append(&text, &len, "\n\nWhy the lab did not build:\n");
        append(&text, &len, lab->problem);
    }
    if (t->output && *t->output && (quoted = quote_lines(t->output))) {
        append(&text, &len, "\n\nOutput of the code under test:\n");
        append(&text, &len, quoted);
        free(quoted);
    }
    json_string(f, text ? text : "");
    free(text);
}

static void json_lab(FILE *f, const struct lab_report *lab, int *first)
{
    for (int i = 0; i < lab->count; i++) {
        const struct test_report *t = &lab->tests[i];
        char name[384];

        snprintf(name, sizeof(name), "%s: %s", lab->folder, t->name);
        fprintf(f, "%s\n    {\"name\": ", *first ? "" : ",");
        json_string(f, name);
        fprintf(f, ", \"score\": %d, \"max_score\": %d, \"status\": \"%s\", "
                   "\"visibility\": \"%s\", \"output\": ",
                t->earned, t->points,
                strcmp(t->verdict, "passed") == 0 ? "passed" : "failed",
                t->hidden ? "after_due_date" : "visible");
        json_test_output(f, lab, t);
        fputc('}', f);
        *first = 0;
    }
}

int write_json(const struct grade_report *r, const char *path)
{
    char tmp[4096];
    int first = 1;
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "grader: fopen(%s) failed: %s\n", tmp,
                strerror(errno));
        return -1;
    }
    fprintf(f, "{\n  \"score\": %d,\n  \"max_score\": %d,\n"
               "  \"execution_time\": %.3f,\n  \"tests\": [",
            r->earned, r->max_points, (double)r->elapsed_ms / 1000.0);
    for (int l = 0; l < r->count; l++)
        json_lab(f, &r->labs[l], &first);
    fprintf(f, "\n  ]\n}\n");
    if (fclose(f) != 0 || rename(tmp, path) == -1) {
        fprintf(stderr, "grader: writing %s failed: %s\n", path,
                strerror(errno));
        return -1;
    }
    return 0;
}
