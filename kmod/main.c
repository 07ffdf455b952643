// SPDX-License-Identifier: GPL-2.0
/*
 * crmguard.ko: block rules pushed by crmguardd over generic netlink and
 * enforced in the kernel through fsnotify inode marks. The rules stay in
 * force when the daemon dies (unless it asked for fail-open).
 */
#include <linux/module.h>
#include <linux/sched.h>
#include "crmguard.h"

static int __init cg_init(void)
{
	int err;

	err = cg_rules_init();
	if (err)
		return err;
	err = cg_exec_init();
	if (err)
		goto err_rules;
	err = cg_enforce_init();
	if (err)
		goto err_exec;
	err = cg_genl_init();
	if (err)
		goto err_enforce;
	cg_display_init();
	cg_taint_init();
	pr_info("generic netlink family %s v%d\n", CRMGUARD_GENL_NAME, CRMGUARD_GENL_VERSION);
	return 0;

err_enforce:
	cg_enforce_exit();
err_exec:
	cg_exec_exit();
err_rules:
	cg_rules_exit();
	return err;
}

/*
 * The taint and display probes go first, with their last works; then the rules,
 * while the family still exists for a handler that is sending a verdict;
 * once no handler can run, the family goes, and the process records,
 * which only the handlers read.
 */
static void __exit cg_exit(void)
{
	/* only rmmod -f, where the kernel has CONFIG_MODULE_FORCE_UNLOAD */
	if (cg_locked())
		pr_crit("locked, yet unloaded by force by pid %d (%s): enforcement ends\n",
			task_tgid_nr(current), current->comm);
	cg_taint_exit();
	cg_display_exit();
	cg_rules_close();
	cg_enforce_exit();
	cg_genl_exit();
	cg_exec_exit();
	cg_rules_exit();
}

module_init(cg_init);
module_exit(cg_exit);
MODULE_DESCRIPTION("crmguard: in-kernel enforcement of crmguard's block rules");
MODULE_LICENSE("GPL");
MODULE_VERSION(CRMGUARD_VERSION);
