/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the KUnit suites that check what the alternatives patched into a
 * pv_ops call site (xen_irq, xen_pte_sites, xen_unlock_site): the site
 * sits in a small function of its own, whose first bytes are searched.
 */
#ifndef _XEN_SITE_TEST_H
#define _XEN_SITE_TEST_H

#include <linux/string.h>
#include <linux/types.h>

/* Do the first window bytes of the function fn hold the n bytes? */
static inline bool xen_test_code_holds(const void *fn, size_t window,
				       const u8 *bytes, size_t n)
{
	const u8 *p = fn;
	size_t i;

	for (i = 0; i + n <= window; i++)
		if (!memcmp(p + i, bytes, n))
			return true;
	return false;
}

#endif /* _XEN_SITE_TEST_H */
