// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as what crmguard.ko sends crmguardd
 * (ctl/daemon/enforce/kmod_msg.c). The first byte says how the rest is
 * read: odd, as an NLMSG_ERROR's body (struct nlmsgerr, the request or
 * not, TLVs; the second byte's low bits are the header's CAPPED and
 * ACK_TLVS flags) for kmod_msg_ext_ack; even, as a genl message of the
 * family (genl header, attributes) for every parser: rule, verdict,
 * refusal, stats. Besides memory errors (ASan) and undefined behaviour
 * (UBSan), it aborts when a result breaks what the parser promises: the
 * strings it fills end within their buffers, a rule it takes has a type
 * the ABI knows, a refusal names a command, and the text of an error is
 * never empty.
 * Build: make fuzz; run: build/fuzz/fuzz_kmod_msg -max_total_time=60
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include "ctl/daemon/enforce/kmod_msg.h"

#define MAX_BODY 8192

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_kmod_msg: %s\n", what);
		abort();
	}
}

static void check_string(const char *s, size_t size, const char *what)
{
	check(memchr(s, 0, size) != NULL, what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static union {
		struct nlmsghdr h;
		char buf[NLMSG_HDRLEN + MAX_BODY];
	} m;
	static struct kernel_verdict v;
	struct kernel_config cfg;
	struct kernel_stats st;
	struct kernel_rule r;
	char text[256];

	if (size < 2 || size - 2 > MAX_BODY)
		return 0;
	memset(&m, 0, sizeof(m));
	memcpy(m.buf + NLMSG_HDRLEN, data + 2, size - 2);
	m.h.nlmsg_len = NLMSG_HDRLEN + size - 2;
	if (data[0] & 1) {
		m.h.nlmsg_type = NLMSG_ERROR;
		m.h.nlmsg_flags = (data[1] & 1 ? NLM_F_CAPPED : 0) | (data[1] & 2 ? NLM_F_ACK_TLVS : 0);
		memset(text, 'x', sizeof(text));
		kmod_msg_ext_ack(&m.h, data[1] & 4 ? &m.h : NULL, text, sizeof(text));
		check_string(text, sizeof(text), "ext_ack: the text does not end in its buffer");
		check(text[0] != 0, "ext_ack: an empty text");
		return 0;
	}
	m.h.nlmsg_type = 0x20;
	if (!kmod_msg_parse_rule(&m.h, &r))
		check(r.type >= CRMGUARD_RULE_INODE && r.type <= CRMGUARD_RULE_USER,
		      "parse_rule: took a rule of an unknown type");
	if (!kmod_msg_parse_verdict(&m.h, &v)) {
		check_string(v.comm, sizeof(v.comm), "parse_verdict: comm does not end");
		check_string(v.path, sizeof(v.path), "parse_verdict: path does not end");
		check_string(v.exe, sizeof(v.exe), "parse_verdict: exe does not end");
	}
	if (!kmod_msg_parse_refused(&m.h, &v)) {
		check(v.refused_cmd != 0, "parse_refused: took a refusal of no command");
		check_string(v.path, sizeof(v.path), "parse_refused: path does not end");
	}
	memset(&st, 0, sizeof(st));
	kmod_msg_parse_stats(&m.h, &st, &cfg);
	return 0;
}
