// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as a policy file for policy_parse.
 * Besides memory errors (ASan) and undefined behaviour (UBSan), it aborts
 * when the result breaks what the parser promises:
 *  - success: the mode is audit unless a `mode` line (in the text) set it;
 *    every rule has a known kind, a non-empty, NUL-free, newline-free,
 *    valid UTF-8 argument (absolute for protect and allow exe), 'audit'
 *    only if it is a protect or revoke rule, nothing resolved yet, the file
 *    name given, and line numbers that rise and stay in the text; and each
 *    rule written back as `KIND "ARG" [audit]` parses to itself (or, if
 *    escaping made it longer than a line may be, is refused as too long);
 *  - taint and clipboard keys: files and clipboard set only by a line of
 *    the text, every exclude and clipboard-allow path absolute, NUL- and
 *    newline-free UTF-8, each written back quoted parsing to itself;
 *    a heartbeat only from a `heartbeat` line, within 1..POLICY_HEARTBEAT_MAX,
 *    and written back as `heartbeat N` (or off) parses to itself;
 *  - success, usb lines: `usb default` set once, from its line; each usb
 *    rule with a known verdict, a serial that is absent or non-empty,
 *    short enough, free of control characters and valid UTF-8, its line
 *    in the text, and written back as `usb VERDICT VID:PID [serial "S"]`
 *    it parses to itself;
 *  - failure: a negative return and a message starting "fuzz.conf:LINE: ".
 * Build: make fuzz; run: build/fuzz/fuzz_policy -max_total_time=60
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl/lib/policy.h"
#include "ctl/lib/utf8.h"

#define NAME "fuzz.conf"

static void check(int ok, const char *what, const char *detail)
{
	if (!ok) {
		fprintf(stderr, "fuzz_policy: %s: %s\n", what, detail ? detail : "");
		abort();
	}
}

/* `KIND "arg" [audit]`, \" and \\ escaped, parses back to the same rule. */
static void check_roundtrip(const struct policy_rule *r)
{
	size_t n = strlen(r->arg), i, o = 0;
	char *line = malloc(2 * n + 64), err[POLICY_ERR_MAX];
	struct policy p = { 0 };
	int ret;

	o += sprintf(line, "%s \"", policy_kind_name(r->kind));
	for (i = 0; i < n; i++) {
		if (r->arg[i] == '"' || r->arg[i] == '\\')
			line[o++] = '\\';
		line[o++] = r->arg[i];
	}
	o += sprintf(line + o, "\"%s\n", r->audit ? " audit" : "");
	/* escapes can make a line that fit too long: that one must say so */
	if (o - 1 > POLICY_LINE_MAX) {
		ret = policy_parse(&p, NAME, line, o, err, sizeof(err));
		check(ret < 0 && strstr(err, "line is longer than"), "long quoted rule", err);
		policy_free(&p);
		free(line);
		return;
	}
	ret = policy_parse(&p, NAME, line, o, err, sizeof(err));
	check(ret == 0, "quoted rule does not parse back", err);
	check(p.nrules == 1 && p.rules[0].kind == r->kind && !strcmp(p.rules[0].arg, r->arg) &&
	      p.rules[0].audit == r->audit, "quoted rule parses to another rule", r->arg);
	policy_free(&p);
	free(line);
}

/* `usb allow|block VID:PID [serial "S"] [readonly]` parses back to the same rule. */
static void check_usb_roundtrip(const struct usb_rule *r)
{
	char line[2 * USB_SERIAL_MAX + 64], err[POLICY_ERR_MAX];
	struct policy p = { 0 };
	const struct usb_rule *b;
	size_t i, o;

	o = sprintf(line, "usb %s %04X:%04x", r->verdict == USB_BLOCK ? "block" : "allow", r->vid, r->pid);
	if (r->serial) {
		o += sprintf(line + o, " serial \"");
		for (i = 0; r->serial[i]; i++) {
			if (r->serial[i] == '"' || r->serial[i] == '\\')
				line[o++] = '\\';
			line[o++] = r->serial[i];
		}
		line[o++] = '"';
	}
	o += sprintf(line + o, "%s\n", r->verdict == USB_READONLY ? " readonly" : "");
	check(policy_parse(&p, NAME, line, o, err, sizeof(err)) == 0, "usb rule does not parse back", err);
	b = p.usb.rules;
	check(p.usb.nrules == 1 && b->verdict == r->verdict && b->vid == r->vid && b->pid == r->pid &&
	      !b->serial == !r->serial && (!r->serial || !strcmp(b->serial, r->serial)),
	      "usb rule parses to another rule", line);
	policy_free(&p);
}

static void check_usb(const struct usb_policy *u, size_t lines)
{
	int prev = 0;
	size_t i, n;

	check(u->managed == (u->def_file || u->nrules), "usb managed without a usb line", NULL);
	check(!u->def_file || (!strcmp(u->def_file, NAME) && u->def_line >= 1 &&
			       (size_t)u->def_line <= lines), "usb default line", NULL);
	check(u->def_file || u->def == USB_BLOCK, "usb default other than block without a line", NULL);
	for (i = 0; i < u->nrules; i++) {
		const struct usb_rule *r = &u->rules[i];

		check(r->verdict == USB_BLOCK || r->verdict == USB_READONLY || r->verdict == USB_ALLOW,
		      "usb verdict", NULL);
		if (r->serial) {
			n = strlen(r->serial);
			check(n && n <= USB_SERIAL_MAX, "usb serial length", r->serial);
			check(utf8_invalid_at(r->serial, n) == n, "usb serial not UTF-8", r->serial);
			for (const char *c = r->serial; *c; c++)
				check((unsigned char)*c >= 0x20 && *c != 0x7f, "usb serial control", r->serial);
		}
		check(!strcmp(r->file, NAME) && r->line > prev && (size_t)r->line <= lines,
		      "usb rule line", NULL);
		prev = r->line;
		check_usb_roundtrip(r);
	}
}

/* `mode NAME` parses back to the same mode. */
static void check_mode_roundtrip(enum policy_mode m)
{
	char line[32], err[POLICY_ERR_MAX];
	struct policy p = { 0 };
	int n = snprintf(line, sizeof(line), "mode %s\n", policy_mode_name(m));

	check(policy_parse(&p, NAME, line, n, err, sizeof(err)) == 0, "mode does not parse back", err);
	check(p.mode == m && p.mode_line == 1, "mode parses to another mode", line);
	policy_free(&p);
}

/* `PREFIX "path"`, escaped, parses back to a policy whose list holds path once. */
static void check_path_roundtrip(const char *prefix, const char *path, bool exclude)
{
	size_t n = strlen(path), i, o = 0;
	char *line = malloc(2 * n + 64), err[POLICY_ERR_MAX];
	struct policy p = { 0 };
	int ret;

	check(path[0] == '/', "taint path not absolute", path);
	check(utf8_invalid_at(path, n) == n && !strchr(path, '\n'), "taint path not one UTF-8 line", path);
	o += sprintf(line, "%s \"", prefix);
	for (i = 0; i < n; i++) {
		if (path[i] == '"' || path[i] == '\\')
			line[o++] = '\\';
		line[o++] = path[i];
	}
	o += sprintf(line + o, "\"\n");
	ret = policy_parse(&p, NAME, line, o, err, sizeof(err));
	if (o - 1 > POLICY_LINE_MAX) {
		check(ret < 0 && strstr(err, "line is longer than"), "long quoted taint path", err);
	} else {
		check(ret == 0, "quoted taint path does not parse back", err);
		check(exclude ? p.taint.nexclude == 1 && !strcmp(p.taint.exclude[0], path) :
		      p.taint.nclip_allow == 1 && !strcmp(p.taint.clip_allow[0], path),
		      "quoted taint path parses to another", path);
	}
	policy_free(&p);
	free(line);
}

static void check_taint(const struct policy_taint *t, size_t lines)
{
	size_t i;

	check(t->files_line >= 0 && (size_t)t->files_line <= lines, "taint files line", NULL);
	check(t->files_line || !t->files, "taint files set without a line", NULL);
	check(t->clipboard_line >= 0 && (size_t)t->clipboard_line <= lines, "clipboard line", NULL);
	check(t->clipboard_line || t->clipboard == CLIPBOARD_AUDIT, "clipboard set without a line", NULL);
	for (i = 0; i < t->nexclude; i++)
		check_path_roundtrip("taint exclude", t->exclude[i], true);
	for (i = 0; i < t->nclip_allow; i++)
		check_path_roundtrip("clipboard allow exe", t->clip_allow[i], false);
}

/* `heartbeat N` (or `heartbeat off`) parses back to the same interval. */
static void check_heartbeat_roundtrip(unsigned int seconds)
{
	char line[32], err[POLICY_ERR_MAX];
	struct policy p = { 0 };
	int n = seconds ? snprintf(line, sizeof(line), "heartbeat %u\n", seconds)
			: snprintf(line, sizeof(line), "heartbeat off\n");

	check(policy_parse(&p, NAME, line, n, err, sizeof(err)) == 0, "heartbeat does not parse back", err);
	check(p.heartbeat == seconds && p.heartbeat_line == 1, "heartbeat parses to another interval", line);
	policy_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct policy p = { 0 };
	char err[POLICY_ERR_MAX];
	size_t i, lines = 1;
	int ret, prev = 0;

	for (i = 0; i < size; i++)
		lines += text[i] == '\n';
	memset(err, 'Z', sizeof(err));
	ret = policy_parse(&p, NAME, text, size, err, sizeof(err));
	if (ret) {
		int line = 0;
		char colon = 0, space = 0;

		check(ret < 0, "positive error", NULL);
		check(memchr(err, 0, sizeof(err)) != NULL, "message not NUL-terminated", NULL);
		check(sscanf(err, NAME ":%d%c%c", &line, &colon, &space) == 3 && colon == ':' && space == ' ',
		      "message does not start with file:line: ", err);
		check(line >= 1 && (size_t)line <= lines, "message line out of range", err);
	} else {
		check(p.mode == POLICY_AUDIT || p.mode == POLICY_ENFORCE, "mode", NULL);
		if (p.mode_line) {
			check(p.mode_file && !strcmp(p.mode_file, NAME), "mode file", p.mode_file);
			check(p.mode_line >= 1 && (size_t)p.mode_line <= lines, "mode line", NULL);
			check_mode_roundtrip(p.mode);
		} else {
			check(p.mode == POLICY_AUDIT && !p.mode_file, "mode set without a mode line", NULL);
		}
		if (p.heartbeat_line) {
			check(p.heartbeat_file && !strcmp(p.heartbeat_file, NAME), "heartbeat file", p.heartbeat_file);
			check(p.heartbeat_line >= 1 && (size_t)p.heartbeat_line <= lines, "heartbeat line", NULL);
			check(p.heartbeat <= POLICY_HEARTBEAT_MAX, "heartbeat out of range", NULL);
			check_heartbeat_roundtrip(p.heartbeat);
		} else {
			check(!p.heartbeat && !p.heartbeat_file, "heartbeat set without a heartbeat line", NULL);
		}
		for (i = 0; i < p.nrules; i++) {
			const struct policy_rule *r = &p.rules[i];
			const char *arg = r->arg;

			check(r->kind == RULE_PROTECT || r->kind == RULE_ALLOW_EXE ||
			      r->kind == RULE_ALLOW_USER || r->kind == RULE_REVOKE_USER, "rule kind", arg);
			check(arg && arg[0], "empty argument", NULL);
			if (r->kind == RULE_PROTECT || r->kind == RULE_ALLOW_EXE)
				check(arg[0] == '/', "path not absolute", arg);
			check(!r->audit || r->kind == RULE_PROTECT || r->kind == RULE_REVOKE_USER,
			      "'audit' on an allow rule", arg);
			check(!r->uid && !r->dev && !r->ino && !r->interpreter, "resolved while parsing", arg);
			check(utf8_invalid_at(arg, strlen(arg)) == strlen(arg), "argument not UTF-8", arg);
			check(!strchr(arg, '\n'), "newline in argument", arg);
			check(!strcmp(r->file, NAME), "rule file", r->file);
			check(r->line > prev && (size_t)r->line <= lines, "rule line", arg);
			prev = r->line;
			check_roundtrip(r);
		}
		check_taint(&p.taint, lines);
		check_usb(&p.usb, lines);
	}
	policy_free(&p);
	check(p.nrules == 0 && p.rules == NULL && !p.taint.nexclude && !p.taint.exclude,
	      "policy_free left rules", NULL);
	return 0;
}
