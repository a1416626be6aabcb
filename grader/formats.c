/*
 * formats.c - the results as TAP and as JUnit XML.
 *
 * Both print the same results as the score table, once the run is over:
 * one entry per test named "LAB: test name", with the failure message
 * and the handout step for each failed test.
 */
#include "report.h"

#include <stdio.h>
#include <string.h>

static int passed(const struct test_report *t)
{
    return strcmp(t->verdict, "passed") == 0;
}

/* Print text as the lines of a YAML block scalar, indented by prefix. */
static void yaml_block(const char *text, const char *prefix)
{
    int at_start = 1;

    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (at_start)
            fputs(prefix, stdout);
        at_start = *c == '\n';
        if (*c == '\n' || *c == '\t' || *c >= 0x20)
            putchar(*c);
        else
            printf("\\x%02x", *c);
    }
    if (!at_start)
        putchar('\n');
}

void print_tap(const struct grade_report *r)
{
    int total = 0, n = 0;

    for (int l = 0; l < r->count; l++)
        total += r->labs[l].count;
    printf("TAP version 13\n1..%d\n", total);
    for (int l = 0; l < r->count; l++) {
        const struct lab_report *lab = &r->labs[l];

        for (int i = 0; i < lab->count; i++) {
            const struct test_report *t = &lab->tests[i];

            printf("%s %d - %s: %s%s\n", passed(t) ? "ok" : "not ok", ++n,
                   lab->folder, t->hidden ? "(hidden) " : "", t->name);
            if (passed(t))
                continue;
            printf("  ---\n  points: %d/%d\n  where: %s of labs/%s/"
                   "README.md\n  message: |\n",
                   t->earned, t->points, t->step, lab->folder);
            yaml_block(t->message ? t->message : t->verdict, "    ");
            printf("  ...\n");
        }
    }
    printf("# Score: %d/%d\n", r->earned, r->max_points);
}

/* Write text escaped for XML; control characters become spaces. */
static void xml_text(const char *text)
{
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        switch (*c) {
        case '<':
            fputs("&lt;", stdout);
            break;
        case '>':
            fputs("&gt;", stdout);
            break;
        case '&':
            fputs("&amp;", stdout);
            break;
        case '"':
            fputs("&quot;", stdout);
            break;
        default:
            putchar(*c < 0x20 && *c != '\n' && *c != '\t' ? ' ' : *c);
        }
    }
}

void print_junit(const struct grade_report *r)
{
    printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for (int l = 0; l < r->count; l++) {
        const struct lab_report *lab = &r->labs[l];
        int failures = 0;

        for (int i = 0; i < lab->count; i++)
            failures += !passed(&lab->tests[i]);
        printf("  <testsuite name=\"");
        xml_text(lab->folder);
        printf("\" tests=\"%d\" failures=\"%d\">\n", lab->count, failures);
        for (int i = 0; i < lab->count; i++) {
            const struct test_report *t = &lab->tests[i];

            printf("    <testcase classname=\"");
            xml_text(lab->folder);
            printf("\" name=\"%s", t->hidden ? "(hidden) " : "");
            xml_text(t->name);
            printf("\" time=\"%.3f\"", (double)t->elapsed_ms / 1000.0);
            if (passed(t)) {
                printf("/>\n");
                continue;
            }
            printf(">\n      <failure message=\"%d/%d points\">", t->earned,
                   t->points);
            xml_text(t->message ? t->message : t->verdict);
            printf("\nWhere to look: %s of labs/", t->step);
            xml_text(lab->folder);
            printf("/README.md</failure>\n    </testcase>\n");
        }
        printf("  </testsuite>\n");
    }
    printf("</testsuites>\n");
}
