// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl/lib/policy_usb.h"
#include "ctl/lib/policy.h"

static const char *const verdicts[] = {
	[USB_BLOCK] = "block", [USB_READONLY] = "readonly", [USB_ALLOW] = "allow",
};

struct where {
	const char *file;
	int line;
	char *err;
	size_t errlen;
};

static int fail(const struct where *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	policy_vfail(w->file, w->line, w->err, w->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

const char *usb_verdict_name(enum usb_verdict v)
{
	return verdicts[v];
}

static int hex4(const char *s, uint16_t *out)
{
	unsigned int v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			v = v * 16 + c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v = v * 16 + (c | 0x20) - 'a' + 10;
		else
			return -EINVAL;
	}
	*out = v;
	return 0;
}

int usb_parse_id(const char *s, uint16_t *vid, uint16_t *pid)
{
	if (strlen(s) != 9 || s[4] != ':' || hex4(s, vid) || hex4(s + 5, pid))
		return -EINVAL;
	return 0;
}

/* The word closest to w among words (n of them), if it is a likely typo. */
static const char *near(const char *w, const char *const *words, size_t n)
{
	size_t i, d, best = 99;
	const char *pick = NULL;

	for (i = 0; i < n; i++) {
		d = policy_word_distance(w, words[i]);
		if (d < best)
			best = d, pick = words[i];
	}
	return best <= 2 ? pick : NULL;
}

static int parse_default(struct usb_policy *u, const struct where *w, int argc, char *const *argv)
{
	size_t v;

	if (argc != 3)
		return fail(w, "usb default takes one word: block, readonly or allow");
	for (v = 0; v < 3; v++)
		if (!strcmp(argv[2], verdicts[v]))
			break;
	if (v == 3) {
		const char *guess = near(argv[2], verdicts, 3);

		if (guess)
			return fail(w, "usb default: unknown verdict '%s' (did you mean '%s'?)",
				    argv[2], guess);
		return fail(w, "usb default: unknown verdict '%s' (verdicts: block, readonly, allow)",
			    argv[2]);
	}
	if (u->def_file)
		return fail(w, "usb default is set twice (first at %s:%d); keep one 'usb default' line",
			    u->def_file, u->def_line);
	u->def_file = strdup(w->file);
	if (!u->def_file)
		return fail(w, "out of memory");
	u->def = v;
	u->def_line = w->line;
	u->managed = true;
	return 0;
}

/* A serial a USB device can report, and a policy line can hold. */
static int check_serial(const struct where *w, const char *what, const char *s)
{
	size_t i, n = strlen(s);

	if (!n)
		return fail(w, "%s: empty serial (write 'serial' only with a value; ctlx usb list shows it)",
			    what);
	if (n > USB_SERIAL_MAX)
		return fail(w, "%s: serial is longer than %d bytes; no USB device reports such a serial",
			    what, USB_SERIAL_MAX);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return fail(w, "%s: serial has a control character at byte %zu; no rule can name it",
				    what, i + 1);
	return 0;
}

/* usb allow VID:PID [serial SERIAL] [readonly] | usb block VID:PID [serial SERIAL] */
static int parse_rule(struct usb_policy *u, const struct where *w, int argc, char *const *argv)
{
	bool allow = !strcmp(argv[1], "allow");
	const char *what = allow ? "usb allow" : "usb block";
	struct usb_rule r = { .verdict = allow ? USB_ALLOW : USB_BLOCK };
	const char *serial = NULL;
	struct usb_rule *grown;
	int i;

	if (argc < 3)
		return fail(w, "%s: missing VID:PID (for example: %s 46f4:0001 serial CRM-0042)",
			    what, what);
	if (usb_parse_id(argv[2], &r.vid, &r.pid))
		return fail(w, "%s: '%s' is not VID:PID (four hex digits each, for example 46f4:0001; "
			    "ctlx usb list shows them)", what, argv[2]);
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "serial")) {
			if (serial)
				return fail(w, "%s: serial is given twice", what);
			if (i + 1 == argc)
				return fail(w, "%s: 'serial' needs a value (for example: serial CRM-0042)",
					    what);
			serial = argv[++i];
			if (check_serial(w, what, serial))
				return -EINVAL;
		} else if (!strcmp(argv[i], "readonly") && allow && r.verdict != USB_READONLY) {
			r.verdict = USB_READONLY;
		} else if (!strcmp(argv[i], "readonly")) {
			return fail(w, allow ? "%s: readonly is given twice" :
				    "%s: 'readonly' goes on allow rules only (usb allow VID:PID readonly)", what);
		} else {
			static const char *const words[] = { "serial", "readonly" };
			const char *guess = near(argv[i], words, allow ? 2 : 1);

			if (guess)
				return fail(w, "%s: unknown word '%s' (did you mean '%s'?)", what, argv[i], guess);
			return fail(w, "%s: unknown word '%s' (after VID:PID: serial SERIAL%s)", what,
				    argv[i], allow ? ", readonly" : "");
		}
	}
	r.file = strdup(w->file);
	r.serial = serial ? strdup(serial) : NULL;
	grown = realloc(u->rules, (u->nrules + 1) * sizeof(*grown));
	if (!r.file || (serial && !r.serial) || !grown) {
		free(r.file);
		free(r.serial);
		if (grown)
			u->rules = grown;
		return fail(w, "out of memory");
	}
	r.line = w->line;
	u->rules = grown;
	u->rules[u->nrules++] = r;
	u->managed = true;
	return 0;
}

int policy_usb_parse(struct usb_policy *u, const char *file, int line, int argc,
		     char *const *argv, char *err, size_t errlen)
{
	static const char *const subs[] = { "default", "allow", "block" };
	const struct where w = { file, line, err, errlen };
	const char *guess;

	if (argc < 2)
		return fail(&w, "usb takes default, allow or block (for example: usb default block)");
	if (!strcmp(argv[1], "default"))
		return parse_default(u, &w, argc, argv);
	if (!strcmp(argv[1], "allow") || !strcmp(argv[1], "block"))
		return parse_rule(u, &w, argc, argv);
	guess = near(argv[1], subs, 3);
	if (guess)
		return fail(&w, "usb: unknown word '%s' (did you mean '%s'?)", argv[1], guess);
	return fail(&w, "usb: unknown word '%s' (usb takes default, allow or block)", argv[1]);
}

void policy_usb_free(struct usb_policy *u)
{
	size_t i;

	for (i = 0; i < u->nrules; i++) {
		free(u->rules[i].serial);
		free(u->rules[i].file);
	}
	free(u->rules);
	free(u->def_file);
	memset(u, 0, sizeof(*u));
}

struct usb_match policy_usb_match(const struct usb_policy *u, uint16_t vid, uint16_t pid,
				  const char *serial)
{
	struct usb_match m = { u->def, -1 };
	const struct usb_rule *r;
	size_t i;

	for (i = 0; i < u->nrules; i++) {
		r = &u->rules[i];
		if (r->vid != vid || r->pid != pid)
			continue;
		/* a device without a serial matches rules without one only */
		if (r->serial && (!serial || strcmp(r->serial, serial)))
			continue;
		m.verdict = r->verdict;
		m.rule = i;
		break;
	}
	return m;
}

int policy_usb_shadowed_by(const struct usb_policy *u, size_t i)
{
	const struct usb_rule *r = &u->rules[i], *e;
	size_t j;

	for (j = 0; j < i; j++) {
		e = &u->rules[j];
		if (e->vid == r->vid && e->pid == r->pid &&
		    (!e->serial || (r->serial && !strcmp(e->serial, r->serial))))
			return j;
	}
	return -1;
}

const char *policy_usb_label(const struct usb_policy *u, int rule, char *buf, size_t len)
{
	const struct usb_rule *r = rule >= 0 ? &u->rules[rule] : NULL;

	if (!r)
		snprintf(buf, len, "usb-default:%s", verdicts[u->def]);
	else
		snprintf(buf, len, "usb-%s:%04x:%04x%s%s", r->verdict == USB_BLOCK ? "block" : "allow",
			 r->vid, r->pid, r->serial ? ":" : "", r->serial ? r->serial : "");
	return buf;
}

bool policy_usb_same(const struct usb_policy *a, const struct usb_policy *b)
{
	const struct usb_rule *x = a->rules, *y = b->rules;

	if (b->def_file)
		return a->def_file != NULL;
	if (a->nrules != 1 || b->nrules != 1)
		return false;
	return x->vid == y->vid && x->pid == y->pid && !x->serial == !y->serial &&
	       (!x->serial || !strcmp(x->serial, y->serial));
}
