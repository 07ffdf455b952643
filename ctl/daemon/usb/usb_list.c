// SPDX-License-Identifier: GPL-2.0
/* ctlx usb list and ctlx usb generate: the sticks crmguardd decided. */
#include <glob.h>
#include <string.h>
#include "ctl/daemon/usb/usb_int.h"
#include "ctl/lib/ctlproto.h"
#include "ctl/lib/usbdev.h"
#include "ctl/lib/utf8.h"

/* The block devices of a mass-storage interface ("sda sdb"), "" if none. */
static void block_devices(const struct usb *u, const char *name, char *out, size_t len)
{
	char pattern[512];
	glob_t g;
	size_t i, used = 0;

	out[0] = 0;
	snprintf(pattern, sizeof(pattern), "%s/%s/host*/target*/*/block/*", u->root, name);
	if (glob(pattern, 0, NULL, &g))
		return;
	for (i = 0; i < g.gl_pathc && used < len; i++)
		used += snprintf(out + used, len - used, "%s%s", i ? " " : "", usbdev_name(g.gl_pathv[i]));
	globfree(&g);
}

void usb_list(const struct usb *u, bool json, FILE *out)
{
	char block[128], id[16];
	size_t i;

	if (json)
		fputc('[', out);
	else if (!u->nintf)
		fputs("no USB mass-storage device is there\n", out);
	for (i = 0; i < u->nintf; i++) {
		const struct usb_intf *it = &u->intf[i];

		block_devices(u, it->name, block, sizeof(block));
		snprintf(id, sizeof(id), "%04x:%04x", it->vid, it->pid);
		if (!json) {
			fprintf(out, "%s\t%s\t", it->name, id);
			json_str(out, it->has_serial ? it->serial : "");
			fprintf(out, "\tclass %02x\t%s\t%s\t%s\t", it->cls, *block ? block : "-",
				usb_verdict_name(it->verdict), it->held ? "held" : "usable");
			fprintf(out, "%s\t", it->rule);
			json_str(out, it->product);
			fputc('\n', out);
			continue;
		}
		fprintf(out, "%s{\"device\":", i ? "," : "");
		json_str(out, it->name);
		fprintf(out, ",\"id\":\"%s\",\"serial\":", id);
		if (it->has_serial)
			json_str(out, it->serial);
		else
			fputs("null", out);
		fputs(",\"manufacturer\":", out);
		json_str(out, it->manufacturer);
		fputs(",\"product\":", out);
		json_str(out, it->product);
		fprintf(out, ",\"class\":\"%02x\",\"block\":", it->cls);
		json_str(out, block);
		fprintf(out, ",\"verdict\":\"%s\",\"held\":%s,\"rule\":", usb_verdict_name(it->verdict),
			it->held ? "true" : "false");
		json_str(out, it->rule);
		fputc('}', out);
	}
	if (json)
		fputs("]\n", out);
}

/* Can a policy line name this serial (valid UTF-8, no control character)? */
static bool nameable(const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return utf8_invalid_at(s, n) == n;
}

void usb_generate(const struct usb *u, FILE *out)
{
	size_t i, c;

	fprintf(out, "# the USB mass-storage devices present; review, then add to the policy\n");
	for (i = 0; i < u->nintf; i++) {
		const struct usb_intf *it = &u->intf[i];

		if (!it->has_serial) {
			fprintf(out, "usb allow %04x:%04x\t# no serial: allows every stick of this model\n",
				it->vid, it->pid);
		} else if (!nameable(it->serial)) {
			fprintf(out, "# %s %04x:%04x: its serial has a control character or is not UTF-8; "
				"no rule can name it\n", it->name, it->vid, it->pid);
		} else {
			fprintf(out, "usb allow %04x:%04x serial \"", it->vid, it->pid);
			for (c = 0; it->serial[c]; c++) {
				if (it->serial[c] == '"' || it->serial[c] == '\\')
					fputc('\\', out);
				fputc(it->serial[c], out);
			}
			fputs("\"\n", out);
		}
	}
}
