// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for ctl/decide.c: the decision matrix of decide() and
 * decide_unknown(), and the names verdict_name() and rule_label() give.
 * Policies are parsed from text (policy_parse, no I/O); the fields that
 * policy_resolve() would fill (uid, dev/ino) are set by hand.
 */
#include <stdlib.h>
#include "ctl/lib/decide.h"
#include "assert.h"

/* Rule indices in the policy that policy_of() builds. */
enum {
	R_PROTECT_X,		/* protect /x */
	R_PROTECT_Y_AUDIT,	/* protect /y audit */
	R_ALLOW_EXE,		/* allow exe /usr/bin/crm */
	R_ALLOW_BOB,		/* allow user bob */
	R_REVOKE_ALICE,		/* revoke user alice */
	R_REVOKE_CAROL_AUDIT,	/* revoke user carol audit */
	R_ALLOW_EXE2,		/* allow exe /usr/bin/crm-report */
	NRULES
};

#define UID_NOBODY 1000	/* in no rule */
#define UID_BOB 1001
#define UID_ALICE 1002
#define UID_CAROL 1003
#define CRM_DEV 0x801
#define CRM_INO 4242
#define REPORT_INO 4343

static const char policy_text[] =
	"# test policy\n"
	"%s\n"
	"protect /x\n"
	"protect /y audit\n"
	"allow exe /usr/bin/crm\n"
	"allow user bob\n"
	"revoke user alice\n"
	"revoke user carol audit\n"
	"allow exe /usr/bin/crm-report\n";

/*
 * The policy above with `mode_line` as its second line, resolved by hand.
 * Returns 0, or -1 (with a message printed) when it does not parse.
 */
static int policy_of(struct policy *p, const char *mode_line)
{
	char text[1024], err[POLICY_ERR_MAX] = "";
	int n = snprintf(text, sizeof(text), policy_text, mode_line);

	memset(p, 0, sizeof(*p));
	if (policy_parse(p, "decide.conf", text, n, err, sizeof(err)) || p->nrules != NRULES) {
		printf("policy_of: does not parse as expected: %s (%zu rules)\n", err, p->nrules);
		policy_free(p);
		return -1;
	}
	p->rules[R_ALLOW_EXE].dev = CRM_DEV;
	p->rules[R_ALLOW_EXE].ino = CRM_INO;
	p->rules[R_ALLOW_BOB].uid = UID_BOB;
	p->rules[R_REVOKE_ALICE].uid = UID_ALICE;
	p->rules[R_REVOKE_CAROL_AUDIT].uid = UID_CAROL;
	p->rules[R_ALLOW_EXE2].dev = CRM_DEV;
	p->rules[R_ALLOW_EXE2].ino = REPORT_INO;
	return 0;
}

#define ENFORCE(p) ASSERT_EQ(policy_of(p, "mode enforce"), 0)
#define AUDIT(p) ASSERT_EQ(policy_of(p, "mode audit"), 0)

/* A process in no rule: uid 1000, no login uid, some other binary. */
static struct subject nobody(void)
{
	struct subject s = {
		.tgid = 77, .uid = UID_NOBODY, .euid = UID_NOBODY, .loginuid = (uid_t)-1,
		.exe_dev = CRM_DEV, .exe_ino = 999, .preload = false,
	};

	return s;
}

/* Asserts decide(p, protect, s) == { verdict, rule }, naming both on failure. */
#define EXPECT(p, protect, s, want_verdict, want_rule) do { \
	struct decision _d = decide(p, protect, s); \
	if (_d.verdict != (want_verdict) || _d.rule != (want_rule)) { \
		policy_free(p); \
		FAILF("decide(protect %d) = %s by rule %d, expected %s by rule %d", (protect), \
		      verdict_name(_d.verdict), _d.rule, verdict_name(want_verdict), (want_rule)); \
	} \
} while (0)

#define EXPECT_UNKNOWN(p, protect, want_verdict) do { \
	struct decision _d = decide_unknown(p, protect); \
	if (_d.verdict != (want_verdict) || _d.rule != (protect)) { \
		policy_free(p); \
		FAILF("decide_unknown(protect %d) = %s by rule %d, expected %s by rule %d", (protect), \
		      verdict_name(_d.verdict), _d.rule, verdict_name(want_verdict), (protect)); \
	} \
} while (0)

/* ---- names ---------------------------------------------------------------- */

static void verdict_names(void)
{
	ASSERT_STREQ(verdict_name(VERDICT_ALLOW), "allow");
	ASSERT_STREQ(verdict_name(VERDICT_AUDIT), "audit");
	ASSERT_STREQ(verdict_name(VERDICT_DENY), "deny");
}

static void rule_labels(void)
{
	struct policy p;
	char buf[128];

	ENFORCE(&p);
	ASSERT_STREQ(rule_label(&p, R_PROTECT_X, buf, sizeof(buf)), "protect:/x");
	ASSERT_STREQ(buf, "protect:/x");
	ASSERT_STREQ(rule_label(&p, R_PROTECT_Y_AUDIT, buf, sizeof(buf)), "protect:/y");
	ASSERT_STREQ(rule_label(&p, R_ALLOW_EXE, buf, sizeof(buf)), "allow-exe:/usr/bin/crm");
	ASSERT_STREQ(rule_label(&p, R_ALLOW_BOB, buf, sizeof(buf)), "allow-user:bob");
	ASSERT_STREQ(rule_label(&p, R_REVOKE_ALICE, buf, sizeof(buf)), "revoke-user:alice");
	ASSERT_STREQ(rule_label(&p, R_REVOKE_CAROL_AUDIT, buf, sizeof(buf)), "revoke-user:carol");
	/* a small buffer: cut, still terminated */
	ASSERT_STREQ(rule_label(&p, R_ALLOW_EXE, buf, 10), "allow-exe");
	policy_free(&p);
}

static void rule_label_quoted_path(void)
{
	static const char text[] = "protect \"/srv/crm data\"\n";
	struct policy p = { 0 };
	char err[POLICY_ERR_MAX], buf[128];

	ASSERT_EQ(policy_parse(&p, "q.conf", text, sizeof(text) - 1, err, sizeof(err)), 0);
	ASSERT_STREQ(rule_label(&p, 0, buf, sizeof(buf)), "protect:/srv/crm data");
	policy_free(&p);
}

/* ---- no rule but the protect rule applies ------------------------------- */

static void plain_process_enforce_denies(void)
{
	struct policy p;
	struct subject s = nobody();

	ENFORCE(&p);
	ASSERT_EQ(p.mode, POLICY_ENFORCE);
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_DENY, R_PROTECT_X);
	policy_free(&p);
}

static void plain_process_audit_mode_audits(void)
{
	struct policy p;
	struct subject s = nobody();

	AUDIT(&p);
	ASSERT_EQ(p.mode, POLICY_AUDIT);
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_AUDIT, R_PROTECT_X);
	EXPECT(&p, R_PROTECT_Y_AUDIT, &s, VERDICT_AUDIT, R_PROTECT_Y_AUDIT);
	policy_free(&p);
}

static void no_mode_line_is_audit(void)
{
	static const char text[] = "protect /x\n";
	struct policy p = { 0 };
	struct subject s = nobody();
	char err[POLICY_ERR_MAX];

	ASSERT_EQ(policy_parse(&p, "m.conf", text, sizeof(text) - 1, err, sizeof(err)), 0);
	EXPECT(&p, 0, &s, VERDICT_AUDIT, 0);
	policy_free(&p);
}

static void protect_audit_flag_audits_in_enforce(void)
{
	struct policy p;
	struct subject s = nobody();

	ENFORCE(&p);
	EXPECT(&p, R_PROTECT_Y_AUDIT, &s, VERDICT_AUDIT, R_PROTECT_Y_AUDIT);
	/* the flag is the protect rule's own: /x next to it still denies */
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_DENY, R_PROTECT_X);
	policy_free(&p);
}

/* ---- allow exe ------------------------------------------------------------- */

static void allowed_exe_allowed(void)
{
	struct policy p;
	struct subject s = nobody();

	ENFORCE(&p);
	s.exe_ino = CRM_INO;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_ALLOW, R_ALLOW_EXE);
	EXPECT(&p, R_PROTECT_Y_AUDIT, &s, VERDICT_ALLOW, R_ALLOW_EXE);
	/* the second allow exe rule decides for its own binary */
	s.exe_ino = REPORT_INO;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_ALLOW, R_ALLOW_EXE2);
	policy_free(&p);

	AUDIT(&p);
	s.exe_ino = CRM_INO;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_ALLOW, R_ALLOW_EXE);
	policy_free(&p);
}

static void allowed_exe_by_dev_and_ino(void)
{
	struct policy p;
	struct subject s = nobody();

	ENFORCE(&p);
	/* the same inode number on another filesystem is another file */
	s.exe_dev = CRM_DEV + 1;
	s.exe_ino = CRM_INO;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_DENY, R_PROTECT_X);
	s.exe_dev = 0;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_DENY, R_PROTECT_X);
	/* the same filesystem, another inode */
	s.exe_dev = CRM_DEV;
	s.exe_ino = CRM_INO + 1;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_DENY, R_PROTECT_X);
	/* the path in the rule plays no part: only (dev, ino) */
	s.exe_ino = CRM_INO;
	free(p.rules[R_ALLOW_EXE].arg);
	p.rules[R_ALLOW_EXE].arg = strdup("/somewhere/else");
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_ALLOW, R_ALLOW_EXE);
	policy_free(&p);
}

static void preload_voids_allowed_exe(void)
{
	struct policy p;
	struct subject s = nobody();

	ENFORCE(&p);
	s.exe_ino = CRM_INO;
	s.preload = true;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_DENY, R_PROTECT_X);
	EXPECT(&p, R_PROTECT_Y_AUDIT, &s, VERDICT_AUDIT, R_PROTECT_Y_AUDIT);
	/* an allowed user is allowed whatever it preloads */
	s.uid = s.euid = UID_BOB;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_ALLOW, R_ALLOW_BOB);
	s.exe_ino = 999;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_ALLOW, R_ALLOW_BOB);
	policy_free(&p);

	AUDIT(&p);
	s = nobody();
	s.exe_ino = CRM_INO;
	s.preload = true;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_AUDIT, R_PROTECT_X);
	policy_free(&p);
}

/* ---- allow user ---------------------------------------------------------- */

static void allowed_user_by_real_uid_only(void)
{
	struct policy p;
	struct subject s = nobody();

	ENFORCE(&p);
	s.uid = UID_BOB;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_ALLOW, R_ALLOW_BOB);
	EXPECT(&p, R_PROTECT_Y_AUDIT, &s, VERDICT_ALLOW, R_ALLOW_BOB);
	/* effective uid bob (setuid to bob) is not bob */
	s = nobody();
	s.euid = UID_BOB;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_DENY, R_PROTECT_X);
	/* nor is a process bob logged in as, running as someone else */
	s = nobody();
	s.loginuid = UID_BOB;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_DENY, R_PROTECT_X);
	policy_free(&p);
}

/* ---- revoke user ---------------------------------------------------------- */

static void revoke_matches_each_uid_alone(void)
{
	struct policy p;
	struct subject s;

	ENFORCE(&p);
	s = nobody();
	s.uid = UID_ALICE;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_DENY, R_REVOKE_ALICE);
	s = nobody();
	s.euid = UID_ALICE;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_DENY, R_REVOKE_ALICE);
	s = nobody();
	s.loginuid = UID_ALICE;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_DENY, R_REVOKE_ALICE);
	/* and none of them: the protect rule */
	s = nobody();
	s.loginuid = UID_NOBODY;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_DENY, R_PROTECT_X);
	policy_free(&p);
}

static void revoke_beats_allow_exe(void)
{
	struct policy p;
	struct subject s;
	uid_t *field[3];

	ENFORCE(&p);
	for (int i = 0; i < 3; i++) {
		s = nobody();
		field[0] = &s.uid, field[1] = &s.euid, field[2] = &s.loginuid;
		*field[i] = UID_ALICE;
		s.exe_ino = CRM_INO;
		EXPECT(&p, R_PROTECT_X, &s, VERDICT_DENY, R_REVOKE_ALICE);
	}
	policy_free(&p);
}

static void revoke_beats_allow_user(void)
{
	struct policy p;
	struct subject s = nobody();

	ENFORCE(&p);
	/* bob by real uid, alice by effective uid */
	s.uid = UID_BOB;
	s.euid = UID_ALICE;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_DENY, R_REVOKE_ALICE);
	/* bob by real uid, logged in as alice (su bob) */
	s.euid = UID_BOB;
	s.loginuid = UID_ALICE;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_DENY, R_REVOKE_ALICE);
	/* bob, in the allowed binary too */
	s.exe_ino = CRM_INO;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_DENY, R_REVOKE_ALICE);
	policy_free(&p);
}

/* A revoke rule decides even if it comes after the allow rules. */
static void revoke_beats_allow_written_first(void)
{
	static const char text[] =
		"mode enforce\nallow user bob\nallow exe /usr/bin/crm\nprotect /x\nrevoke user bob\n";
	struct policy p = { 0 };
	struct subject s = nobody();
	char err[POLICY_ERR_MAX];

	ASSERT_EQ(policy_parse(&p, "o.conf", text, sizeof(text) - 1, err, sizeof(err)), 0);
	ASSERT_EQ(p.nrules, 4);
	p.rules[0].uid = UID_BOB;
	p.rules[1].dev = CRM_DEV;
	p.rules[1].ino = CRM_INO;
	p.rules[3].uid = UID_BOB;
	s.uid = s.euid = UID_BOB;
	s.exe_ino = CRM_INO;
	EXPECT(&p, 2, &s, VERDICT_DENY, 3);
	policy_free(&p);
}

/*
 * `revoke user carol audit`: log what the revoke would deny, deny nothing.
 * Carol in the allowed binary would be allowed: the revoke makes it audit.
 */
static void revoke_audit_flag_audits_in_enforce(void)
{
	struct policy p;
	struct subject s;
	uid_t *field[3];

	ENFORCE(&p);
	for (int i = 0; i < 3; i++) {
		s = nobody();
		field[0] = &s.uid, field[1] = &s.euid, field[2] = &s.loginuid;
		*field[i] = UID_CAROL;
		s.exe_ino = CRM_INO;
		EXPECT(&p, R_PROTECT_X, &s, VERDICT_AUDIT, R_REVOKE_CAROL_AUDIT);
		EXPECT(&p, R_PROTECT_Y_AUDIT, &s, VERDICT_AUDIT, R_REVOKE_CAROL_AUDIT);
	}
	/* carol logged in, su to bob: bob is allowed, carol's revoke logs it */
	s = nobody();
	s.uid = s.euid = UID_BOB;
	s.loginuid = UID_CAROL;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_AUDIT, R_REVOKE_CAROL_AUDIT);
	policy_free(&p);
}

/*
 * An audit-only revoke denies nothing, and allows nothing either: carol,
 * whom no allow rule lets in, is denied by the protect rule in enforce,
 * as she would be without the revoke line.
 */
static void revoke_audit_does_not_undo_protect_deny(void)
{
	struct policy p;
	struct subject s;
	uid_t *field[3];

	ENFORCE(&p);
	for (int i = 0; i < 3; i++) {
		s = nobody();
		field[0] = &s.uid, field[1] = &s.euid, field[2] = &s.loginuid;
		*field[i] = UID_CAROL;
		EXPECT(&p, R_PROTECT_X, &s, VERDICT_DENY, R_PROTECT_X);
	}
	policy_free(&p);
}

/*
 * Two revoke rules match (su from alice to carol): the one that denies
 * decides, whichever comes first in the file.
 */
static void revoke_deny_beats_revoke_audit(void)
{
	static const char text[] =
		"mode enforce\nprotect /x\nrevoke user carol audit\nrevoke user alice\nallow exe /usr/bin/crm\n";
	struct policy p = { 0 };
	struct subject s = nobody();
	char err[POLICY_ERR_MAX];

	ASSERT_EQ(policy_parse(&p, "o.conf", text, sizeof(text) - 1, err, sizeof(err)), 0);
	ASSERT_EQ(p.nrules, 4);
	p.rules[1].uid = UID_CAROL;
	p.rules[2].uid = UID_ALICE;
	p.rules[3].dev = CRM_DEV;
	p.rules[3].ino = CRM_INO;
	s.uid = s.euid = UID_CAROL;
	s.loginuid = UID_ALICE;
	s.exe_ino = CRM_INO;
	EXPECT(&p, 0, &s, VERDICT_DENY, 2);
	policy_free(&p);
}

static void revoke_in_audit_mode_audits(void)
{
	struct policy p;
	struct subject s = nobody();

	AUDIT(&p);
	s.loginuid = UID_ALICE;
	s.exe_ino = CRM_INO;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_AUDIT, R_REVOKE_ALICE);
	policy_free(&p);
}

/* An unset login uid ((uid_t)-1) matches no revoke rule for an ordinary uid. */
static void unset_loginuid_matches_nothing(void)
{
	struct policy p;
	struct subject s = nobody();

	ENFORCE(&p);
	ASSERT_EQ(s.loginuid, (uid_t)-1);
	s.uid = s.euid = UID_BOB;
	EXPECT(&p, R_PROTECT_X, &s, VERDICT_ALLOW, R_ALLOW_BOB);
	policy_free(&p);
}

/* ---- decide_unknown ------------------------------------------------------- */

static void unknown_process(void)
{
	struct policy p;

	ENFORCE(&p);
	EXPECT_UNKNOWN(&p, R_PROTECT_X, VERDICT_DENY);
	EXPECT_UNKNOWN(&p, R_PROTECT_Y_AUDIT, VERDICT_AUDIT);
	policy_free(&p);

	AUDIT(&p);
	EXPECT_UNKNOWN(&p, R_PROTECT_X, VERDICT_AUDIT);
	EXPECT_UNKNOWN(&p, R_PROTECT_Y_AUDIT, VERDICT_AUDIT);
	policy_free(&p);
}

int main(void)
{
	RUN(verdict_names);
	RUN(rule_labels);
	RUN(rule_label_quoted_path);

	RUN(plain_process_enforce_denies);
	RUN(plain_process_audit_mode_audits);
	RUN(no_mode_line_is_audit);
	RUN(protect_audit_flag_audits_in_enforce);

	RUN(allowed_exe_allowed);
	RUN(allowed_exe_by_dev_and_ino);
	RUN(preload_voids_allowed_exe);

	RUN(allowed_user_by_real_uid_only);

	RUN(revoke_matches_each_uid_alone);
	RUN(revoke_beats_allow_exe);
	RUN(revoke_beats_allow_user);
	RUN(revoke_beats_allow_written_first);
	RUN(revoke_audit_flag_audits_in_enforce);
	RUN(revoke_audit_does_not_undo_protect_deny);
	RUN(revoke_deny_beats_revoke_audit);
	RUN(revoke_in_audit_mode_audits);
	RUN(unset_loginuid_matches_nothing);

	RUN(unknown_process);
	return test_failed != 0;
}
