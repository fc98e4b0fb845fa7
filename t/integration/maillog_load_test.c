/*
 * NAME
 *	maillog_load_test - 1000 concurrent sessions across log rotations
 * DESCRIPTION
 *	A real mtad with two listener processes and a small rotate_size
 *	takes 1000 SMTP sessions that are all open at once (every one is
 *	greeted before any sends a command), each delivering one message
 *	pipelined. The mail log rolls over many times meanwhile. Then the
 *	whole log (every rolled file and the current one) must account for
 *	every session and message exactly once, each file must begin with
 *	the AsyncOS header, no line may be torn, and "mtactl log check"
 *	must pass it (mtad_stop() runs it).
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mem.h"

#include "mtad_harness.h"
#include "tsupport.h"

#define SESSIONS	1000

TestSuite(maillog_load, .init = tsup_init, .fini = tsup_fini,
    .timeout = 300);

enum phase { P_GREET, P_TXN, P_EHLO, P_MAIL, P_DATA, P_END, P_DONE };

struct client {
	int	fd;
	enum phase phase;
	struct buf in;			/* replies of the current phase */
};

/* load_connect - one non-blocking connection to the listener */

static int
load_connect(int port)
{
	struct sockaddr_in sin;
	int	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert(fd >= 0, "socket: %s", strerror(errno));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short) port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(connect(fd, (struct sockaddr *) &sin, sizeof(sin)) == 0,
	    "connect: %s", strerror(errno));
	(void) fcntl(fd, F_SETFL, O_NONBLOCK);
	return (fd);
}

/* load_send - a whole command group (small: the socket takes it) */

static void
load_send(struct client *c, const char *text)
{
	size_t	len = strlen(text);

	cr_assert_eq(write(c->fd, text, len), (ssize_t) len, "write: %s",
	    strerror(errno));
	buf_reset(&c->in);
}

/* load_has - did the replies so far end with a line starting code */

static int
load_has(const struct buf *in, const char *code)
{
	const char *p;

	if (in->len < 5 || in->data[in->len - 1] != '\n')
		return (0);
	p = in->data + in->len - 1;
	while (p > in->data && p[-1] != '\n')
		p--;
	return (strncmp(p, code, strlen(code)) == 0);
}

/* load_step - a client's replies grew: move it on when complete */

static void
load_step(struct client *c, int *greeted, int go)
{
	switch (c->phase) {
	case P_GREET:
		if (load_has(&c->in, "220 ")) {
			c->phase = P_TXN;
			(*greeted)++;
			buf_reset(&c->in);
		}
		break;
	case P_TXN:
		if (!go)
			break;
		c->phase = P_EHLO;
		load_send(c, "EHLO load.test\r\n");
		break;
	case P_EHLO:
		if (load_has(&c->in, "250 ")) {
			/* EHLO offers PIPELINING: the transaction at once. */
			cr_assert(strstr(c->in.data, "PIPELINING") != NULL,
			    "%s", c->in.data);
			c->phase = P_MAIL;
			load_send(c, "MAIL FROM:<s@load.test>\r\n"
			    "RCPT TO:<r@example.com>\r\nDATA\r\n");
		}
		break;
	case P_MAIL:
		if (load_has(&c->in, "354 ")) {
			c->phase = P_DATA;
			load_send(c, "Subject: load\r\n\r\nbody\r\n.\r\n"
			    "QUIT\r\n");
		} else if (load_has(&c->in, "4") || load_has(&c->in, "5"))
			cr_assert_fail("transaction refused:\n%s", c->in.data);
		break;
	case P_DATA:
		if (load_has(&c->in, "221 ")) {
			cr_assert(strstr(c->in.data, "250 ") != NULL,
			    "no 250 for the message:\n%s", c->in.data);
			c->phase = P_END;
		}
		break;
	default:
		break;
	}
}

/* load_run - drive every client: all greeted first, then the mail */

static void
load_run(struct client *cl, size_t n)
{
	struct pollfd *pfd = mem_zalloc(n, sizeof(*pfd));
	long long deadline = tsup_now_ms() + 240 * 1000;
	int	greeted = 0, done = 0, go = 0;
	char	chunk[4096];
	size_t	i;

	while (done < (int) n) {
		cr_assert(tsup_now_ms() < deadline, "%d greeted, %d done of "
		    "%zu", greeted, done, n);
		if (!go && greeted == (int) n) {
			go = 1;			/* all 1000 open at once */
			for (i = 0; i < n; i++)
				load_step(&cl[i], &greeted, go);
		}
		for (i = 0; i < n; i++) {
			pfd[i].fd = cl[i].phase == P_DONE ? -1 : cl[i].fd;
			pfd[i].events = POLLIN;
		}
		cr_assert(poll(pfd, n, 1000) >= 0, "poll: %s", strerror(errno));
		for (i = 0; i < n; i++) {
			ssize_t	r;

			if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN
			    | POLLHUP | POLLERR)))
				continue;
			r = read(cl[i].fd, chunk, sizeof(chunk));
			if (r > 0) {
				buf_append(&cl[i].in, chunk, (size_t) r);
				load_step(&cl[i], &greeted, go);
			} else if (r == 0 || errno != EAGAIN) {
				cr_assert(cl[i].phase == P_END, "session %zu "
				    "closed in phase %d:\n%s", i, cl[i].phase,
				    cl[i].in.data ? cl[i].in.data : "");
				(void) close(cl[i].fd);
				cl[i].phase = P_DONE;
				done++;
			}
		}
	}
	mem_free(pfd);
}

/* load_count_lines - count lines containing text in every log file */

static void
load_count_lines(const char *dir, const char *const *texts, int *counts,
    size_t ntexts, int *files)
{
	DIR    *dp = opendir(dir);
	struct dirent *de;
	struct buf *b = buf_new(0);
	char   *line, *end;
	size_t	i;

	cr_assert_not_null(dp, "opendir %s", dir);
	while ((de = readdir(dp)) != NULL) {
		if (strncmp(de->d_name, "mail.", 5) != 0)
			continue;
		buf_reset(b);
		tsup_tmp_read(tsup_strf("%s/%s", dir, de->d_name), b);
		cr_assert(b->len > 0 && b->data[b->len - 1] == '\n',
		    "%s: empty or torn last line", de->d_name);
		cr_assert(strstr(b->data, "Info: Begin Logfile\n") != NULL
		    && strstr(b->data, "Info: Version: ") != NULL
		    && strstr(b->data, "Info: Time offset from UTC: ") != NULL,
		    "%s: no header", de->d_name);
		(*files)++;
		for (line = b->data; *line; line = end + 1) {
			end = strchr(line, '\n');
			*end = 0;
			for (i = 0; i < ntexts; i++)
				if (strstr(line, texts[i]) != NULL)
					counts[i]++;
		}
	}
	(void) closedir(dp);
	buf_free(b);
}

Test(maillog_load, thousand_concurrent_sessions_across_rotations)
{
	static const char *const texts[] = {
		"Info: New SMTP ICID ", " queued for delivery", " close",
	};
	struct mtad_spec spec = {0};
	struct mtad_inst *mi;
	struct client *cl = mem_zalloc(SESSIONS, sizeof(*cl));
	struct rlimit rl;
	int	counts[3] = {0}, files = 0;
	char   *dir;
	size_t	i;

	/* Our side needs SESSIONS descriptors too. */
	cr_assert(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	rl.rlim_cur = rl.rlim_max;
	(void) setrlimit(RLIMIT_NOFILE, &rl);
	cr_assert(rl.rlim_cur > SESSIONS + 64, "descriptor limit %llu",
	    (unsigned long long) rl.rlim_cur);

	spec.listeners = 2;
	spec.log = "  rotate_size: 64K\n  keep: 1000\n";
	spec.top = "limits:\n  max_connections: 5000\n"
	    "  max_tls_connections: 5000\n";
	spec.listener = "default_policy:\n  max_concurrency: 5000\n"
	    "  max_rcpts_per_hour: -1\nsender_groups: []\n";
	mi = mtad_start(&spec);
	for (i = 0; i < SESSIONS; i++) {
		cl[i].fd = load_connect(mi->port);
		buf_init(&cl[i].in, 256);
	}
	load_run(cl, SESSIONS);
	for (i = 0; i < SESSIONS; i++)
		buf_fini(&cl[i].in);
	mem_free(cl);
	cr_expect_eq(mtad_queued(mi), SESSIONS);
	(void) mtad_wait_text(mi, "ICID");	/* the log is flushed per line */
	dir = mem_strdup(mi->log);
	*strrchr(dir, '/') = 0;
	load_count_lines(dir, texts, counts, 3, &files);
	mem_free(dir);
	cr_expect(files > 5, "only %d log files: no rotation under load",
	    files);
	cr_expect_eq(counts[0], SESSIONS, "New SMTP ICID lines");
	cr_expect_eq(counts[1], SESSIONS, "queued for delivery lines");
	/* Each session ends with "ICID n close" (DCIDs: none, no delivery). */
	cr_expect_eq(counts[2], SESSIONS, "close lines");
	mtad_stop(mi);
}
