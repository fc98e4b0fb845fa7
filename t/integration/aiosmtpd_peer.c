/*
 * NAME
 *	aiosmtpd_peer - a third-party SMTP server with real AUTH, for tests
 * DESCRIPTION
 *	See aiosmtpd_peer.h.
 */
#include "config.h"

#include <unistd.h>

#include <criterion/criterion.h>

#include "tsupport.h"

#include "aiosmtpd_peer.h"

/* An SES-like submission server: AUTH, TLS, a verified-sender check. */
static const char aiosmtpd_peer_py[] =
"import sys, ssl, threading\n"
"from aiosmtpd.controller import Controller\n"
"from aiosmtpd.smtp import AuthResult, LoginPassword\n"
"mode, port, cert, key, user, pw, spool = sys.argv[1:8]\n"
"class Handler:\n"
"    async def handle_DATA(self, server, session, envelope):\n"
"        if envelope.mail_from.endswith('@unverified.test'):\n"
"            return ('554 Message rejected: Email address is not "
"verified. The following identities failed the check in region "
"US-EAST-1: ' + envelope.mail_from)\n"
"        with open(spool, 'ab') as f:\n"
"            f.write(b'MAIL FROM:' + envelope.mail_from.encode() + "
"b'\\n')\n"
"            for r in envelope.rcpt_tos:\n"
"                f.write(b'RCPT TO:' + r.encode() + b'\\n')\n"
"            f.write(b'AUTH:' + str(session.auth_data.login if "
"session.auth_data else None).encode() + b'\\n')\n"
"            f.write(envelope.original_content)\n"
"        return '250 2.0.0 Ok: queued as 4711'\n"
"def auth(server, session, envelope, mechanism, data):\n"
"    if (isinstance(data, LoginPassword) and data.login == user.encode()\n"
"            and data.password == pw.encode()):\n"
"        return AuthResult(success=True, auth_data=data)\n"
"    return AuthResult(success=False, handled=False)\n"
"ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)\n"
"ctx.load_cert_chain(cert, key)\n"
"kw = dict(hostname='127.0.0.1', port=int(port), authenticator=auth)\n"
"if 'login' in mode:\n"
"    kw['auth_exclude_mechanism'] = ['PLAIN']\n"
"if mode.startswith('implicit'):\n"
"    c = Controller(Handler(), ssl_context=ctx, auth_require_tls=False,"
" **kw)\n"
"else:\n"
"    c = Controller(Handler(), tls_context=ctx, require_starttls=True,"
" **kw)\n"
"c.start()\n"
"print('ready', flush=True)\n"
"threading.Event().wait()\n";

/* aiosmtpd_peer_python - a python3 that has aiosmtpd */

static const char *
aiosmtpd_peer_python(void)
{
	static const char *const cands[] = {"/usr/bin/python3", "python3"};
	const char *argv[4];
	size_t	i;

	for (i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		if (cands[i][0] == '/' && access(cands[i], X_OK) != 0)
			continue;
		if (cands[i][0] != '/' && tsup_run_have(cands[i]) == NULL)
			continue;
		argv[0] = cands[i];
		argv[1] = "-c";
		argv[2] = "import aiosmtpd";
		argv[3] = NULL;
		if (tsup_run(argv, NULL, 0, 0, NULL) == 0)
			return (cands[i]);
	}
	cr_assert_fail("python3-aiosmtpd is not installed "
	    "(scripts/quickstart deps installs it)");
	return (NULL);
}

/* aiosmtpd_peer_start - start the server, wait until it listens */

struct aiosmtpd_peer
aiosmtpd_peer_start(const char *mode, const char *chain, const char *key,
    const char *user, const char *password)
{
	static int serial;
	struct aiosmtpd_peer peer;
	struct tsup_proc *p;
	const char *argv[10];
	const char *name = tsup_strf("aiosmtpd-%d", ++serial);

	argv[0] = aiosmtpd_peer_python();
	argv[1] = tsup_tmp_write("aiosmtpd_peer.py", aiosmtpd_peer_py,
	    sizeof(aiosmtpd_peer_py) - 1);
	argv[2] = mode;
	peer.port = tsup_port_free();
	argv[3] = tsup_strf("%d", peer.port);
	argv[4] = chain;
	argv[5] = key;
	argv[6] = user;
	argv[7] = password;
	peer.spool = tsup_tmp_path("%s.spool", name);
	argv[8] = peer.spool;
	argv[9] = NULL;
	p = tsup_proc_spawn(name, argv, NULL);
	tsup_proc_wait_port(p, peer.port, 0);
	return (peer);
}
