/* SPDX-License-Identifier: GPL-2.0 */
/* crmguardd's heartbeat record (policy: heartbeat N) and its status fields. */
#ifndef CRMGUARD_HEARTBEAT_H
#define CRMGUARD_HEARTBEAT_H

#include <stdio.h>

struct daemon;
struct policy;

#define POLICY_HASH_HEX (2 * 32 + 1)

/* SHA-256 of what the policy says, in hex (see heartbeat.c). */
void policy_hash(const struct policy *p, char hex[POLICY_HASH_HEX]);

/* Sends a heartbeat record if one is due; call it at least once a second. */
void heartbeat_tick(struct daemon *d);
/* The fields a heartbeat would carry now, as a JSON object (ctlx status -j). */
void heartbeat_json(struct daemon *d, FILE *out);

#endif
