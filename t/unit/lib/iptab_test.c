/*
 * NAME
 *	iptab_test - unit tests for lib/iptab
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "iptab.h"

/* iptab_test_addr - a sockaddr for a literal IPv4 or IPv6 address */

static struct sockaddr_storage
iptab_test_addr(const char *text)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(text, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) &ss;

		s6->sin6_family = AF_INET6;
		cr_assert_eq(inet_pton(AF_INET6, text, &s6->sin6_addr), 1);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *) &ss;

		s4->sin_family = AF_INET;
		cr_assert_eq(inet_pton(AF_INET, text, &s4->sin_addr), 1);
	}
	return (ss);
}

#define SA(ss)	((const struct sockaddr *) &(ss))

Test(iptab, connection_limit_per_address)
{
	struct buf *err = buf_new(0);
	struct iptab *tp = iptab_create(1024, err);
	struct sockaddr_storage a = iptab_test_addr("192.0.2.1");
	struct sockaddr_storage b = iptab_test_addr("192.0.2.2");
	struct sockaddr_storage a6 = iptab_test_addr("::ffff:192.0.2.1");
	unsigned long n;

	cr_assert_not_null(tp, "%s", err->data);
	cr_expect_eq(iptab_conn_enter(tp, 0, SA(a), 2, &n), 1);
	cr_expect_eq(n, 1);
	cr_expect_eq(iptab_conn_enter(tp, 0, SA(a6), 2, &n), 1,
	    "v4-mapped is the same host");
	cr_expect_eq(n, 2);
	cr_expect_eq(iptab_conn_enter(tp, 0, SA(a), 2, &n), 0, "third refused");
	cr_expect_eq(n, 2);
	cr_expect_eq(iptab_conn_enter(tp, 0, SA(b), 2, &n), 1, "other host");
	iptab_conn_leave(tp, 0, SA(a));
	cr_expect_eq(iptab_conn_enter(tp, 0, SA(a), 2, &n), 1, "room again");
	cr_expect_eq(iptab_conn_enter(tp, 0, SA(b), -1, &n), 1, "no limit");
	iptab_close(tp);
	buf_free(err);
}

Test(iptab, a_full_counter_refuses_instead_of_wrapping)
{
	struct buf *err = buf_new(0);
	struct iptab *tp = iptab_create(1024, err);
	struct sockaddr_storage a = iptab_test_addr("192.0.2.9");
	unsigned long n = 0;
	long	i;

	cr_assert_not_null(tp, "%s", err->data);
	for (i = 0; i < 65535; i++)
		cr_assert_eq(iptab_conn_enter(tp, 3, SA(a), -1, &n), 1,
		    "connection %ld", i + 1);
	cr_expect_eq(n, 65535);
	cr_expect_eq(iptab_conn_enter(tp, 3, SA(a), -1, &n), 0,
	    "the 65536th is refused even without a limit");
	cr_expect_eq(n, 65535, "and the count did not wrap");
	iptab_conn_leave(tp, 3, SA(a));
	cr_expect_eq(iptab_conn_enter(tp, 3, SA(a), -1, &n), 1, "room again");
	iptab_close(tp);
	buf_free(err);
}

struct rcpt_case {
	const char *label;
	long long now;
	int	want;
};

Test(iptab, recipients_per_hour_window)
{
	static const struct rcpt_case cases[] = {
		{"first", 1000, 1},
		{"second", 1001, 1},
		{"third", 1002, 1},
		{"over the limit", 2000, 0},
		{"still in the hour", 4599, 0},
		{"next hour", 4600, 1},
		{"next hour, second", 4601, 1},
	};
	struct buf *err = buf_new(0);
	struct iptab *tp = iptab_create(64, err);
	struct sockaddr_storage a = iptab_test_addr("2001:db8::1");
	size_t	i;

	cr_assert_not_null(tp, "%s", err->data);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(iptab_rcpt_take(tp, SA(a), 3, cases[i].now),
		    cases[i].want, "%s", cases[i].label);
	cr_expect_eq(iptab_rcpt_take(tp, SA(a), -1, 4602), 1, "unlimited");
	iptab_close(tp);
	buf_free(err);
}

Test(iptab, shared_between_processes)
{
	struct buf *err = buf_new(0);
	struct iptab *tp = iptab_create(1024, err);
	struct sockaddr_storage a = iptab_test_addr("198.51.100.9");
	int	allowed = 0;
	int	i;

	cr_assert_not_null(tp, "%s", err->data);
	for (i = 0; i < 8; i++) {
		if (fork() == 0) {
			struct iptab *child = iptab_adopt(iptab_fd(tp), err);
			unsigned long n;

			if (child == NULL)
				_exit(3);
			_exit(iptab_conn_enter(child, (unsigned) i, SA(a), 5, &n) ? 0 :
			    1);
		}
	}
	for (i = 0; i < 8; i++) {
		int	status;

		(void) wait(&status);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) < 2);
		allowed += WEXITSTATUS(status) == 0;
	}
	cr_expect_eq(allowed, 5, "exactly the limit across processes");
	iptab_close(tp);
	buf_free(err);
}

Test(iptab, full_table_allows)
{
	struct buf *err = buf_new(0);
	struct iptab *tp = iptab_create(16, err);
	char	text[32];
	unsigned long n;
	int	i;

	cr_assert_not_null(tp, "%s", err->data);
	for (i = 0; i < 100; i++) {
		struct sockaddr_storage a;

		(void) snprintf(text, sizeof(text), "10.0.0.%d", i);
		a = iptab_test_addr(text);
		cr_expect_eq(iptab_conn_enter(tp, 0, SA(a), 1, &n), 1, "%s", text);
	}
	iptab_close(tp);
	buf_free(err);
}

Test(iptab, a_dead_process_slot_is_cleared)
{
	struct buf *err = buf_new(0);
	struct iptab *tp = iptab_create(64, err);
	struct sockaddr_storage a = iptab_test_addr("192.0.2.77");
	unsigned long n;

	cr_assert_not_null(tp, "%s", err->data);
	cr_assert_eq(iptab_conn_enter(tp, 3, SA(a), 2, &n), 1);
	cr_assert_eq(iptab_conn_enter(tp, 5, SA(a), 2, &n), 1);
	cr_expect_eq(n, 2, "counted over both slots");
	cr_expect_eq(iptab_conn_enter(tp, 7, SA(a), 2, &n), 0, "at the limit");
	/* The process in slot 3 died holding its connection. */
	iptab_slot_clear(tp, 3);
	cr_expect_eq(iptab_conn_enter(tp, 7, SA(a), 2, &n), 1,
	    "its allowance came back");
	cr_expect_eq(n, 2);
	iptab_conn_leave(tp, 3, SA(a));
	cr_expect_eq(iptab_conn_enter(tp, 9, SA(a), 2, &n), 0,
	    "leaving an emptied slot frees nothing twice");
	iptab_close(tp);
	buf_free(err);
}

struct auth_case {
	const char *label;
	const char *addr;
	int	fail;			/* count a failure (else only look) */
	long long now;
	unsigned long want;
};

Test(iptab, failed_auth_window)
{
	static const struct auth_case cases[] = {
		{"nothing yet", "192.0.2.10", 0, 1000, 0},
		{"first failure", "192.0.2.10", 1, 1000, 1},
		{"looking does not count", "192.0.2.10", 0, 1001, 1},
		{"second failure", "192.0.2.10", 1, 1100, 2},
		{"v4-mapped is the same host", "::ffff:192.0.2.10", 1, 1200,
		    3},
		{"other host is apart", "192.0.2.11", 1, 1200, 1},
		{"last second of the window", "192.0.2.10", 0, 1599, 3},
		{"window over: forgotten", "192.0.2.10", 0, 1600, 0},
		{"a failure opens a new window", "192.0.2.10", 1, 1601, 1},
		{"still in the new window", "192.0.2.10", 1, 2200, 2},
		{"clock went back: new window", "192.0.2.10", 1, 900, 1},
	};
	struct buf *err = buf_new(0);
	struct iptab *tp = iptab_create(64, err);
	size_t	i;

	cr_assert_not_null(tp, "%s", err->data);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sockaddr_storage a = iptab_test_addr(cases[i].addr);
		unsigned long got = cases[i].fail
		    ? iptab_auth_fail(tp, SA(a), 600, cases[i].now)
		    : iptab_auth_failures(tp, SA(a), 600, cases[i].now);

		cr_expect_eq(got, cases[i].want, "%s: got %lu, want %lu",
		    cases[i].label, got, cases[i].want);
	}
	iptab_close(tp);
	buf_free(err);
}

Test(iptab, failed_auth_shared_between_processes)
{
	struct buf *err = buf_new(0);
	struct iptab *tp = iptab_create(64, err);
	struct sockaddr_storage a = iptab_test_addr("2001:db8::25");
	int	i;

	cr_assert_not_null(tp, "%s", err->data);
	for (i = 0; i < 6; i++) {
		if (fork() == 0) {
			struct iptab *child = iptab_adopt(iptab_fd(tp), err);

			if (child == NULL)
				_exit(3);
			(void) iptab_auth_fail(child, SA(a), 600, 5000);
			_exit(0);
		}
	}
	for (i = 0; i < 6; i++) {
		int	status;

		(void) wait(&status);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	cr_expect_eq(iptab_auth_failures(tp, SA(a), 600, 5001), 6,
	    "every process's failures count for the host");
	iptab_close(tp);
	buf_free(err);
}
