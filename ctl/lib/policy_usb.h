/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The policy's `usb` lines: which USB mass-storage devices may be used.
 *
 *	usb default block		# or readonly, or allow: a stick no rule names
 *	usb allow 46f4:0001 serial "CRM-0042"
 *	usb allow 0781:5581 serial 4C53 readonly
 *	usb block 0781:5581		# every stick of this model
 *
 * Rules are tried in the order written; the first that matches decides.
 * A policy with no `usb` line leaves USB alone; one with `usb` rules and no
 * `usb default` blocks the sticks they do not name. Other USB classes
 * (keyboards, mice, webcams) are never decided by these rules.
 */
#ifndef CRMGUARD_POLICY_USB_H
#define CRMGUARD_POLICY_USB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest serial a rule may name (a USB string is at most 126 UTF-16 units). */
#define USB_SERIAL_MAX 384

enum usb_verdict { USB_BLOCK, USB_READONLY, USB_ALLOW };

struct usb_rule {
	enum usb_verdict verdict;	/* USB_BLOCK, or USB_ALLOW / USB_READONLY */
	uint16_t vid, pid;
	char *serial;			/* NULL: any serial, and none */
	char *file;			/* where the rule was written */
	int line;
};

struct usb_policy {
	bool managed;			/* some `usb` line is there */
	enum usb_verdict def;
	char *def_file;			/* where `usb default` was set; NULL: not set */
	int def_line;
	struct usb_rule *rules;
	size_t nrules;
};

/* What the policy says of one device: rule is an index, or -1 for the default. */
struct usb_match {
	enum usb_verdict verdict;
	int rule;
};

/*
 * One `usb` line, split into words (argv[0] is "usb"), written at file:line.
 * On error, "file:line: why" in err, and u is as it was.
 */
int policy_usb_parse(struct usb_policy *u, const char *file, int line, int argc,
		     char *const *argv, char *err, size_t errlen);
void policy_usb_free(struct usb_policy *u);
/* The first rule naming (vid, pid, serial), else the default. serial may be NULL (none). */
struct usb_match policy_usb_match(const struct usb_policy *u, uint16_t vid, uint16_t pid,
				  const char *serial);
/*
 * The earlier rule that names every stick rule i names (so rule i never
 * decides: first match wins), or -1. A rule added by ctlx comes last.
 */
int policy_usb_shadowed_by(const struct usb_policy *u, size_t i);
/* "block", "readonly", "allow" */
const char *usb_verdict_name(enum usb_verdict v);
/* "usb-allow:46f4:0001:CRM-0042", "usb-block:46f4:0001", "usb-default:block" into buf. */
const char *policy_usb_label(const struct usb_policy *u, int rule, char *buf, size_t len);
/*
 * Do two one-line usb policies speak of the same thing: both set the
 * default, or both have a rule for the same VID:PID and serial (whatever
 * their verdicts: a new verdict for a device replaces the old)?
 */
bool policy_usb_same(const struct usb_policy *a, const struct usb_policy *b);
/* "46f4:0001" into *vid, *pid: four hex digits each. */
int usb_parse_id(const char *s, uint16_t *vid, uint16_t *pid);

#endif
