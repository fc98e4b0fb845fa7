/*
 * NAME
 *	qmgr_sched - the queue manager's scheduler: destinations, retries,
 *	results
 * DESCRIPTION
 *	See qmgr_sched.h. Messages live on one list; destinations on a
 *	list too (a queue holds few distinct domains at once, and a
 *	lookup is a pass over the busy ones). Every change of a
 *	recipient's state reaches the spool when the message settles,
 *	before any log line says so.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <uv.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "str.h"

#include "conf.h"
#include "logs_dcid.h"
#include "logs_maillog.h"
#include "logs_mid.h"
#include "mail_reply.h"

#include "policy.h"
#include "policy_conf.h"
#include "policy_destctl.h"

#include "mta_log.h"
#include "mta_proto.h"

#include "qmgr.h"
#include "qmgr_agent.h"
#include "qmgr_alert.h"
#include "qmgr_bounce.h"
#include "qmgr_sched.h"

#define QMGR_EXPIRED_DSN	"5.4.7"

/* A queued message. */
struct qmgr_msg {
	struct queue_env env;
	enum queue_state state;		/* where its envelope file is */
	int64_t	due;			/* next round, 0: now */
	size_t	jobs;			/* jobs of this round not ended */
	int	in_round;
	size_t *bounced;		/* recipients bounced this round */
	size_t	nbounced;
	struct qmgr_msg *prev;
	struct qmgr_msg *next;
};

/* A destination: the jobs waiting for it and those under way. */
struct qmgr_dest {
	char   *domain;			/* case folded */
	long	limit;			/* concurrent jobs */
	long	rcpt_limit;		/* recipients per window, -1: none */
	int64_t	window;			/* window length, seconds */
	int64_t	window_start;
	long	window_rcpts;		/* recipients sent in the window */
	size_t	active;
	struct qmgr_job *head;		/* waiting, oldest first */
	struct qmgr_job *tail;
	struct qmgr_dest *next;
};

struct qmgr_sched {
	struct qmgr_msg *msgs;
	struct qmgr_dest *dests;
	struct policy_destctl *destctl;
	struct logs_maillog *log;
	struct buf *line;
	uv_timer_t tick;
};

/* qmgr_sched_now - the wall clock, in seconds */

static int64_t
qmgr_sched_now(void)
{
	return ((int64_t) time(NULL));
}

/* qmgr_sched_log - write a formatted line */

static void
qmgr_sched_log(struct qmgr *qm, enum logs_line_level level)
{
	mta_log_line(qm->sched->log, level, qm->sched->line);
}

/* qmgr_sched_rcpt_domain - the domain of an address, case folded */

static char *
qmgr_sched_rcpt_domain(const struct buf *addr)
{
	const char *at = memrchr(addr->data, '@', addr->len);
	char   *domain;
	size_t	i, len;

	if (at == NULL)
		return (NULL);
	len = addr->len - (size_t) (at + 1 - addr->data);
	if (len == 0 || memchr(at + 1, 0, len) != NULL)
		return (NULL);
	domain = mem_strndup(at + 1, len);
	for (i = 0; i < len; i++)
		domain[i] = (char) tolower((unsigned char) domain[i]);
	return (domain);
}

/* qmgr_sched_dest_limits - a destination's Destination Controls limits */

static void
qmgr_sched_dest_limits(struct qmgr_dest *dp, const struct policy_destctl *dc)
{
	struct policy_destctl_entry entry;
	const char *matched;

	dp->limit = 500;
	dp->rcpt_limit = -1;
	if (dc == NULL || policy_destctl_lookup(dc, dp->domain, &entry,
	    &matched) == POLICY_ERROR)
		return;
	if (entry.concurrency > 0)
		dp->limit = entry.concurrency;
	if (entry.rcpt_limit >= 0 && entry.rcpt_minutes > 0) {
		dp->rcpt_limit = entry.rcpt_limit;
		dp->window = (int64_t) entry.rcpt_minutes * 60;
	}
}

/*
 * qmgr_sched_dest_room - may the first waiting job go now: concurrency,
 * and the recipients per interval (a job larger than the whole limit
 * goes alone at the start of a window, so it is never stuck).
 */
static int
qmgr_sched_dest_room(struct qmgr_dest *dp, int64_t now)
{
	if (dp->head == NULL || (long) dp->active >= dp->limit)
		return (0);
	if (dp->rcpt_limit < 0)
		return (1);
	if (now - dp->window_start >= dp->window) {
		dp->window_start = now;
		dp->window_rcpts = 0;
	}
	return (dp->window_rcpts == 0 || dp->window_rcpts
	    + (long) dp->head->count <= dp->rcpt_limit);
}

/* qmgr_sched_dest - find or make the destination of a domain */

static struct qmgr_dest *
qmgr_sched_dest(struct qmgr *qm, const char *domain)
{
	struct qmgr_sched *sc = qm->sched;
	struct qmgr_dest *dp;

	for (dp = sc->dests; dp; dp = dp->next)
		if (strcmp(dp->domain, domain) == 0)
			return (dp);
	dp = mem_zalloc(1, sizeof(*dp));
	dp->domain = mem_strdup(domain);
	qmgr_sched_dest_limits(dp, sc->destctl);
	dp->next = sc->dests;
	sc->dests = dp;
	return (dp);
}

/* qmgr_sched_dest_gc - forget destinations with nothing to do */

static void
qmgr_sched_dest_gc(struct qmgr *qm)
{
	struct qmgr_dest **pp = &qm->sched->dests;
	struct qmgr_dest *dp;

	while ((dp = *pp) != NULL) {
		if (dp->active == 0 && dp->head == NULL) {
			*pp = dp->next;
			mem_free(dp->domain);
			mem_free(dp);
		} else {
			pp = &dp->next;
		}
	}
}

/* qmgr_sched_job_free - release a job */

static void
qmgr_sched_job_free(struct qmgr_job *job)
{
	mem_free(job->rcpts);
	mem_free(job);
}

/* qmgr_sched_enqueue - a job joins its destination's queue */

static void
qmgr_sched_enqueue(struct qmgr_dest *dp, struct qmgr_job *job, int front)
{
	job->dest = dp;
	job->agent = NULL;
	if (front) {
		job->next = dp->head;
		dp->head = job;
		if (dp->tail == NULL)
			dp->tail = job;
	} else {
		job->next = NULL;
		if (dp->tail)
			dp->tail->next = job;
		else
			dp->head = job;
		dp->tail = job;
	}
}

/* qmgr_sched_unlink - take a message off the list */

static void
qmgr_sched_unlink(struct qmgr *qm, struct qmgr_msg *qmsg)
{
	if (qmsg->prev)
		qmsg->prev->next = qmsg->next;
	else
		qm->sched->msgs = qmsg->next;
	if (qmsg->next)
		qmsg->next->prev = qmsg->prev;
	qmsg->prev = qmsg->next = NULL;
}

/* qmgr_sched_msg_free - release a finished message */

static void
qmgr_sched_msg_free(struct qmgr *qm, struct qmgr_msg *qmsg)
{
	qmgr_sched_unlink(qm, qmsg);
	queue_env_fini(&qmsg->env);
	mem_free(qmsg->bounced);
	mem_free(qmsg);
	qm->queued--;
}

/* qmgr_sched_bounce_rcpt - a recipient is bounced: remember it for DSN */

static void
qmgr_sched_bounce_rcpt(struct qmgr_msg *qmsg, size_t i)
{
	qmsg->env.rcpts[i].state = QUEUE_RCPT_BOUNCED;
	qmsg->bounced = mem_realloc(qmsg->bounced, qmsg->nbounced + 1,
	    sizeof(*qmsg->bounced));
	qmsg->bounced[qmsg->nbounced++] = i;
}

/* qmgr_sched_set_reply - keep "CODE DSN TEXT" as a recipient's reply */

static void
qmgr_sched_set_reply(struct queue_rcpt *rp, const char *code,
    const char *dsn, const char *text)
{
	size_t	len = strlen(text);

	if (len > QUEUE_ENV_TEXT_MAX - 32)
		len = QUEUE_ENV_TEXT_MAX - 32;
	buf_reset(&rp->reply);
	buf_printf(&rp->reply, "%s %s ", code, dsn);
	buf_append(&rp->reply, text, len);
}

/* qmgr_sched_reply_parts - split a kept reply into code, dsn, text */

void
qmgr_sched_reply_parts(const struct queue_rcpt *rp, char code[4],
    char dsn[16], const char **text)
{
	const char *s = rp->reply.len ? buf_cstr(&rp->reply) : "";
	int	n = 0;

	(void) snprintf(code, 4, "000");
	(void) snprintf(dsn, 16, "4.0.0");
	*text = s;
	if (sscanf(s, "%3[0-9] %15[0-9.] %n", code, dsn, &n) == 2 && n > 0)
		*text = s + n;
}

/* qmgr_sched_profile - the bounce profile of a recipient */

static const struct conf_bounce *
qmgr_sched_profile(struct qmgr *qm, const struct qmgr_msg *qmsg,
    const struct queue_rcpt *rp)
{
	const struct conf *cf = qm->sv->cf;
	const struct conf_bounce *bp = NULL;
	const struct conf_listener *lp;
	struct policy_destctl_entry entry;
	const char *matched;
	char   *domain = qmgr_sched_rcpt_domain(&rp->addr);

	if (domain && qm->sched->destctl
	    && policy_destctl_lookup(qm->sched->destctl, domain, &entry,
	    &matched) == POLICY_FOUND && entry.bounce_profile)
		bp = conf_bounce_find(cf, entry.bounce_profile);
	mem_free(domain);
	if (bp == NULL && qmsg->env.listener.len
	    && (lp = conf_listener_find(cf, buf_cstr(&qmsg->env.listener)))
	    && lp->bounce_profile[0])
		bp = conf_bounce_find(cf, lp->bounce_profile);
	if (bp == NULL)
		bp = conf_bounce_find(cf, "Default");
	if (bp == NULL)
		msg_panic("no Default bounce profile");
	return (bp);
}

/* qmgr_sched_retry_delay - back-off after the n-th attempt */

static int64_t
qmgr_sched_retry_delay(const struct conf_bounce *bp, uint32_t attempts)
{
	long long delay = bp->initial_retry;
	uint32_t i;

	for (i = 1; i < attempts && delay < bp->max_retry; i++)
		delay *= 2;
	if (delay > bp->max_retry)
		delay = bp->max_retry;
	return ((int64_t) delay);
}

/* qmgr_sched_expire - a deferred recipient out of retries: bounce it */

static void
qmgr_sched_expire(struct qmgr *qm, struct qmgr_msg *qmsg, size_t i)
{
	struct queue_rcpt *rp = &qmsg->env.rcpts[i];
	struct logs_dcid_bounce b;
	struct str last;
	char	code[4], dsn[16];
	const char *text;

	qmgr_sched_reply_parts(rp, code, dsn, &text);
	last = str_from(text);
	memset(&b, 0, sizeof(b));
	b.dcid = 0;
	b.mid = (unsigned long) qmsg->env.mid;
	b.rid = rp->rid;
	b.dsn = QMGR_EXPIRED_DSN;
	b.description = mail_reply_dsn_text(QMGR_EXPIRED_DSN);
	b.code = code;
	b.lines = &last;
	b.nlines = *text ? 1 : 0;
	qmgr_sched_log(qm, logs_dcid_bounced(qm->sched->line, &b));
	qmgr_sched_set_reply(rp, code, QMGR_EXPIRED_DSN, *text ? text :
	    "delivery expired (message too old)");
	qmgr_sched_bounce_rcpt(qmsg, i);
}

/* qmgr_sched_persist - write the settled envelope; 0 or -1 */

static int
qmgr_sched_persist(struct qmgr *qm, struct qmgr_msg *qmsg,
    enum queue_state to)
{
	struct buf *err = buf_new(0);
	int	rc;

	rc = queue_spool_update(qm->spool, &qmsg->env, qmsg->state, to, err);
	if (rc == QUEUE_OK)
		qmsg->state = to;
	else
		msg_warn("MID %" PRIu64 ": %s", qmsg->env.mid, err->data);
	buf_free(err);
	return (rc == QUEUE_OK ? 0 : -1);
}

/* A finished message being removed on the thread pool. */
struct qmgr_remove {
	uv_work_t work;
	struct qmgr *qm;
	struct qmgr_msg *qmsg;
	int	rc;
	struct buf *err;
};

/* qmgr_sched_remove_work - the unlinks and fsyncs, off the loop */

static void
qmgr_sched_remove_work(uv_work_t *work)
{
	struct qmgr_remove *rm = work->data;

	rm->rc = queue_spool_remove(rm->qm->spool, rm->qmsg->env.mid,
	    rm->qmsg->state, rm->err);
}

/* qmgr_sched_remove_done - back on the loop: the message's last line */

static void
qmgr_sched_remove_done(uv_work_t *work, int status)
{
	struct qmgr_remove *rm = work->data;
	struct qmgr *qm = rm->qm;
	struct qmgr_msg *qmsg = rm->qmsg;

	if (status != 0)
		msg_panic("remove work: %s", uv_strerror(status));
	if (rm->rc != QUEUE_OK) {
		/* Still on disk: try the removal again in a while. */
		msg_warn("MID %" PRIu64 ": %s", qmsg->env.mid, rm->err->data);
		qmsg->due = qmgr_sched_now() + 60;
		qmsg->in_round = 0;
	} else {
		qmgr_sched_log(qm, logs_mid_finished(qm->sched->line,
		    (unsigned long) qmsg->env.mid, 0));
		qmgr_sched_msg_free(qm, qmsg);
	}
	buf_free(rm->err);
	mem_free(rm);
	if (--qm->inflight == 0 && qm->stopping)
		qmgr_finish(qm);
}

/*
 * qmgr_sched_finish - no recipient left: remove the message. The
 * removal waits for the disk (the envelope's unlink must be durable
 * before "done" is said), so it runs on the thread pool, where
 * concurrent removals and commits share the file system's journal
 * commits. The message stays "in a round" meanwhile: nothing schedules
 * it again.
 */

static void
qmgr_sched_finish(struct qmgr *qm, struct qmgr_msg *qmsg)
{
	struct qmgr_remove *rm = mem_zalloc(1, sizeof(*rm));

	qmsg->in_round = 1;
	rm->qm = qm;
	rm->qmsg = qmsg;
	rm->err = buf_new(0);
	rm->work.data = rm;
	qm->inflight++;
	(void) uv_queue_work(qm->sv->loop, &rm->work, qmgr_sched_remove_work,
	    qmgr_sched_remove_done);
}

/* qmgr_sched_settle - the round ended: expire, bounce, wait or finish */

static void
qmgr_sched_settle(struct qmgr *qm, struct qmgr_msg *qmsg)
{
	struct queue_env *env = &qmsg->env;
	int64_t	now = qmgr_sched_now();
	int64_t	due = 0;
	unsigned *rids;
	size_t	nrids = 0, i;

	qmsg->in_round = 0;
	for (i = 0; i < env->rcpt_count; i++) {
		struct queue_rcpt *rp = &env->rcpts[i];
		const struct conf_bounce *bp;
		int64_t	when;

		if (rp->state != QUEUE_RCPT_DEFERRED)
			continue;
		bp = qmgr_sched_profile(qm, qmsg, rp);
		if (rp->attempts > (uint32_t) bp->max_retries
		    || now - env->arrival >= bp->max_queue_lifetime) {
			qmgr_sched_expire(qm, qmsg, i);
			continue;
		}
		when = rp->last_attempt + qmgr_sched_retry_delay(bp,
		    rp->attempts);
		if (due == 0 || when < due)
			due = when;
	}
	if (qmsg->nbounced > 0) {
		const struct conf_bounce *bp = qmgr_sched_profile(qm, qmsg,
		    &env->rcpts[qmsg->bounced[0]]);

		if (bp->send_bounces || env->sender.len == 0)
			qmgr_bounce(qm, env, qmsg->bounced, qmsg->nbounced,
			    bp->max_bounce_copy);
		qmsg->nbounced = 0;
	}
	if (due == 0) {
		qmgr_sched_finish(qm, qmsg);	/* stays in_round meanwhile */
		return;
	}
	if (due <= now)
		due = now + 1;
	env->next_attempt = due;
	qmsg->due = due;
	if (qmgr_sched_persist(qm, qmsg, QUEUE_STATE_DEFERRED) != 0)
		return;			/* the old envelope retries all */
	rids = mem_zalloc(env->rcpt_count + 1, sizeof(*rids));
	for (i = 0; i < env->rcpt_count; i++)
		if (env->rcpts[i].state == QUEUE_RCPT_DEFERRED)
			rids[nrids++] = env->rcpts[i].rid;
	qmgr_sched_log(qm, logs_mid_pending(qm->sched->line,
	    (unsigned long) env->mid, rids, nrids, (time_t) due));
	mem_free(rids);
}

/* qmgr_sched_round - a due message: make its jobs */

static void
qmgr_sched_round(struct qmgr *qm, struct qmgr_msg *qmsg)
{
	struct queue_env *env = &qmsg->env;
	struct qmgr_job **jobs = mem_zalloc(env->rcpt_count + 1,
	    sizeof(*jobs));
	char  **domains = mem_zalloc(env->rcpt_count + 1, sizeof(*domains));
	size_t	njobs = 0, i, j;

	qmsg->in_round = 1;
	qmsg->due = 0;
	for (i = 0; i < env->rcpt_count; i++) {
		struct queue_rcpt *rp = &env->rcpts[i];
		char   *domain;

		if (rp->state != QUEUE_RCPT_PENDING
		    && rp->state != QUEUE_RCPT_DEFERRED)
			continue;
		if ((domain = qmgr_sched_rcpt_domain(&rp->addr)) == NULL) {
			qmgr_sched_set_reply(rp, "000", "5.1.3",
			    "recipient address has no domain");
			rp->attempts++;
			qmgr_sched_bounce_rcpt(qmsg, i);
			continue;
		}
		for (j = 0; j < njobs && strcmp(domains[j], domain) != 0; j++)
			;
		if (j == njobs) {
			jobs[j] = mem_zalloc(1, sizeof(**jobs));
			jobs[j]->msg = qmsg;
			jobs[j]->rcpts = mem_zalloc(1,
			    sizeof(*jobs[j]->rcpts));
			domains[j] = domain;
			njobs++;
		} else {
			mem_free(domain);
		}
		if (jobs[j]->count > 0
		    && (jobs[j]->count & (jobs[j]->count - 1)) == 0)
			jobs[j]->rcpts = mem_realloc(jobs[j]->rcpts,
			    jobs[j]->count * 2, sizeof(*jobs[j]->rcpts));
		jobs[j]->rcpts[jobs[j]->count++] = i;
	}
	qmsg->jobs = njobs;
	for (j = 0; j < njobs; j++) {
		qmgr_sched_enqueue(qmgr_sched_dest(qm, domains[j]), jobs[j], 0);
		mem_free(domains[j]);
	}
	mem_free(domains);
	mem_free(jobs);
	if (njobs == 0)
		qmgr_sched_settle(qm, qmsg);
}

/* qmgr_sched_dispatch - send waiting jobs while there is room */

void
qmgr_sched_dispatch(struct qmgr *qm)
{
	struct qmgr_dest *dp;
	struct qmgr_agent *ag;
	struct qmgr_job *job;
	int64_t	now = qmgr_sched_now();
	int	progress = 1;

	if (qm->stopping)
		return;
	while (progress) {
		progress = 0;
		for (dp = qm->sched->dests; dp; dp = dp->next) {
			if (!qmgr_sched_dest_room(dp, now))
				continue;
			if ((ag = qmgr_agent_pick(qm)) == NULL)
				return;
			job = dp->head;
			if ((dp->head = job->next) == NULL)
				dp->tail = NULL;
			job->next = NULL;
			dp->active++;
			dp->window_rcpts += (long) job->count;
			qmgr_agent_send(ag, job);
			progress = 1;
		}
	}
}

/* qmgr_sched_result - one "RID STATE CODE DSN TEXT" string applied */

static int
qmgr_sched_result(struct qmgr_job *job, const char *result, int64_t now)
{
	struct queue_env *env = &job->msg->env;
	char	state, code[4], dsn[16];
	unsigned long rid;
	int	n = 0;
	size_t	i;

	if (sscanf(result, "%lu %c %3[0-9] %15[0-9.] %n", &rid, &state, code,
	    dsn, &n) != 4 || n == 0)
		return (-1);
	for (i = 0; i < job->count; i++) {
		struct queue_rcpt *rp = &env->rcpts[job->rcpts[i]];

		if (rp->rid != rid)
			continue;
		rp->attempts++;
		rp->last_attempt = now;
		qmgr_sched_set_reply(rp, code, dsn, result + n);
		switch (state) {
		case 'D':
			rp->state = QUEUE_RCPT_DELIVERED;
			return (0);
		case 'B':
			qmgr_sched_bounce_rcpt(job->msg, job->rcpts[i]);
			return (0);
		case 'T':
			rp->state = QUEUE_RCPT_DEFERRED;
			return (0);
		default:
			return (-1);
		}
	}
	return (-1);
}

/* qmgr_sched_job_ended - a job is over: settle its message when last */

static void
qmgr_sched_job_ended(struct qmgr *qm, struct qmgr_job *job)
{
	struct qmgr_msg *qmsg = job->msg;

	job->dest->active--;
	qmgr_sched_job_free(job);
	if (--qmsg->jobs == 0)
		qmgr_sched_settle(qm, qmsg);
}

/* qmgr_sched_done - a delivery process reported a job */

void
qmgr_sched_done(struct qmgr *qm, struct qmgr_job *job, char **results,
    size_t count, int alert)
{
	int64_t	now = qmgr_sched_now();
	size_t	i;

	for (i = 0; i < count; i++)
		if (qmgr_sched_result(job, results[i], now) != 0)
			msg_warn("MID %" PRIu64 ": bad delivery result \"%s\": "
			    "ignored", job->msg->env.mid, results[i]);
	/* A recipient without a result is tried again: deferred. */
	for (i = 0; i < job->count; i++) {
		struct queue_rcpt *rp = &job->msg->env.rcpts[job->rcpts[i]];

		if (rp->state == QUEUE_RCPT_PENDING) {
			rp->state = QUEUE_RCPT_DEFERRED;
			rp->attempts++;
			rp->last_attempt = now;
		}
	}
	if (alert == MTA_ALERT_TLS && policy_destctl_alert(qm->sched->destctl))
		qmgr_alert_tls(qm, job->dest->domain);
	else if (alert == MTA_ALERT_AUTH)
		qmgr_alert_auth(qm, job->dest->domain);
	qmgr_sched_job_ended(qm, job);
	qmgr_sched_dispatch(qm);
}

/* qmgr_sched_fail - a job that cannot be sent: defer its recipients */

void
qmgr_sched_fail(struct qmgr *qm, struct qmgr_job *job, const char *why)
{
	int64_t	now = qmgr_sched_now();
	size_t	i;

	msg_warn("MID %" PRIu64 ": %s", job->msg->env.mid, why);
	for (i = 0; i < job->count; i++) {
		struct queue_rcpt *rp = &job->msg->env.rcpts[job->rcpts[i]];

		rp->state = QUEUE_RCPT_DEFERRED;
		rp->attempts++;
		rp->last_attempt = now;
		qmgr_sched_set_reply(rp, "000", "4.3.0", why);
	}
	qmgr_sched_job_ended(qm, job);
}

/* qmgr_sched_requeue - a job that was not attempted goes back */

void
qmgr_sched_requeue(struct qmgr *qm, struct qmgr_job *job)
{
	job->dest->active--;
	qmgr_sched_enqueue(job->dest, job, 1);
	(void) qm;
}

/* qmgr_sched_domain, qmgr_sched_mid, qmgr_sched_env - job facts */

const char *
qmgr_sched_domain(const struct qmgr_job *job)
{
	return (job->dest->domain);
}

uint64_t
qmgr_sched_mid(const struct qmgr_job *job)
{
	return (job->msg->env.mid);
}

const struct queue_env *
qmgr_sched_env(const struct qmgr_job *job)
{
	return (&job->msg->env);
}

/* qmgr_sched_add - a committed message joins the queue */

void
qmgr_sched_add(struct qmgr *qm, struct queue_env *env,
    enum queue_state state)
{
	struct qmgr_msg *qmsg = mem_zalloc(1, sizeof(*qmsg));

	qmsg->env = *env;
	queue_env_init(env);
	qmsg->state = state;
	qmsg->due = state == QUEUE_STATE_DEFERRED ? qmsg->env.next_attempt : 0;
	qmsg->next = qm->sched->msgs;
	if (qmsg->next)
		qmsg->next->prev = qmsg;
	qm->sched->msgs = qmsg;
	qm->queued++;
	if (qmsg->due <= qmgr_sched_now() && !qm->stopping) {
		qmgr_sched_round(qm, qmsg);
		qmgr_sched_dispatch(qm);
	}
}

/* qmgr_sched_tick - once a second: due messages, log rotation */

static void
qmgr_sched_tick(uv_timer_t *timer)
{
	struct qmgr *qm = timer->data;
	struct qmgr_msg *qmsg, *next;
	int64_t	now = qmgr_sched_now();

	(void) logs_maillog_tick(qm->sched->log);
	for (qmsg = qm->sched->msgs; qmsg; qmsg = next) {
		next = qmsg->next;
		if (!qmsg->in_round && qmsg->due <= now)
			qmgr_sched_round(qm, qmsg);
	}
	qmgr_sched_dest_gc(qm);
	qmgr_sched_dispatch(qm);
}

/* qmgr_sched_start - policies, log, the timer */

void
qmgr_sched_start(struct qmgr *qm)
{
	struct qmgr_sched *sc = mem_zalloc(1, sizeof(*sc));
	struct buf *err = buf_new(0);

	qm->sched = sc;
	sc->line = buf_new(0);
	if ((sc->log = mta_log_open_loop(qm->sv->loop, qm->sv->cf,
	    err)) == NULL)
		msg_fatal("mail log: %s", err->data);
	if ((sc->destctl = policy_conf_destctl(qm->sv->cf, err)) == NULL)
		msg_fatal("%s", err->data);
	(void) uv_timer_init(qm->sv->loop, &sc->tick);
	sc->tick.data = qm;
	(void) uv_timer_start(&sc->tick, qmgr_sched_tick, 1000, 1000);
	buf_free(err);
}

/* qmgr_sched_reload - the Destination Controls of a new configuration */

void
qmgr_sched_reload(struct qmgr *qm, struct conf *cf)
{
	struct buf *err = buf_new(0);
	struct policy_destctl *dc = policy_conf_destctl(cf, err);
	struct qmgr_dest *dp;

	if (dc == NULL) {
		msg_warn("reload: %s: keeping the running Destination "
		    "Controls", err->data);
		buf_free(err);
		return;
	}
	policy_destctl_free(qm->sched->destctl);
	qm->sched->destctl = dc;
	for (dp = qm->sched->dests; dp; dp = dp->next)
		qmgr_sched_dest_limits(dp, dc);
	buf_free(err);
}

/* qmgr_sched_log_handle - the queue manager's mail log */

struct logs_maillog *
qmgr_sched_log_handle(struct qmgr *qm)
{
	return (qm->sched->log);
}

/* qmgr_sched_free - release everything, at exit */

void
qmgr_sched_free(struct qmgr *qm)
{
	struct qmgr_sched *sc = qm->sched;
	struct qmgr_dest *dp;
	struct qmgr_job *job;

	if (sc == NULL)
		return;
	qmgr_agent_close_all(qm);
	while ((dp = sc->dests) != NULL) {
		sc->dests = dp->next;
		while ((job = dp->head) != NULL) {
			dp->head = job->next;
			qmgr_sched_job_free(job);
		}
		mem_free(dp->domain);
		mem_free(dp);
	}
	while (sc->msgs)
		qmgr_sched_msg_free(qm, sc->msgs);
	policy_destctl_free(sc->destctl);
	sc->log = mta_log_close(sc->log);
	buf_free(sc->line);
	mem_free(sc);
	qm->sched = NULL;
}

/* qmgr_sched_stop - no more rounds; messages stay in the spool */

void
qmgr_sched_stop(struct qmgr *qm)
{
	(void) uv_timer_stop(&qm->sched->tick);
	qmgr_agent_close_all(qm);
}
