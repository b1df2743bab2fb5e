/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _XEN_DEBUGFS_H
#define _XEN_DEBUGFS_H

struct dentry;

struct dentry *xen_init_debugfs(void);

#endif /* _XEN_DEBUGFS_H */
