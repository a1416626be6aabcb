/*
 * plain_check.c - 200 empty tests in plain Check's fork mode, the
 * baseline for check_bench.c.
 */
#include <check.h>
#include <stdlib.h>

START_TEST(test_nothing)
{
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bench");
    TCase *tc = tcase_create("empty");
    SRunner *sr;
    int failed;

    tcase_add_loop_test(tc, test_nothing, 0, 200);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_SILENT);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
