/*
 * NAME
 *	privs - drop root privileges, once, and prove it
 * DESCRIPTION
 *	See privs.h.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "privs.h"

/* privs_lookup - uid and gid of a user name */

int
privs_lookup(const char *user, uid_t *uid, gid_t *gid, struct buf *err)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		buf_printf(err, "unknown user \"%s\"%s%s", user,
		    errno ? ": " : "", errno ? strerror(errno) : "");
		return (-1);
	}
	if (pw->pw_uid == 0) {
		buf_printf(err, "user \"%s\" has uid 0: it must be an "
		    "unprivileged user", user);
		return (-1);
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return (0);
}

/* privs_drop - become uid/gid for good */

void
privs_drop(uid_t uid, gid_t gid)
{
	uid_t	ruid, euid, suid;
	gid_t	rgid, egid, sgid;

	if (setgroups(1, &gid) == -1)
		msg_fatal("privs: setgroups(%ld): %m", (long) gid);
	if (setresgid(gid, gid, gid) == -1)
		msg_fatal("privs: setresgid(%ld): %m", (long) gid);
	if (setresuid(uid, uid, uid) == -1)
		msg_fatal("privs: setresuid(%ld): %m", (long) uid);
	if (getresgid(&rgid, &egid, &sgid) == -1
	    || getresuid(&ruid, &euid, &suid) == -1)
		msg_fatal("privs: cannot read back ids: %m");
	if (rgid != gid || egid != gid || sgid != gid || ruid != uid
	    || euid != uid || suid != uid)
		msg_fatal("privs: ids did not change as asked");
	if (uid != 0 && setuid(0) != -1)
		msg_fatal("privs: root could be regained");
}
