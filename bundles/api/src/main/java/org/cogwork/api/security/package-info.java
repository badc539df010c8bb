/**
 * Identity: the four {@link org.cogwork.api.security.Role roles}, the authenticated
 * {@link org.cogwork.api.security.Principal} (the only identity a write records), the
 * {@link org.cogwork.api.security.Accounts} service (users with hashed passwords, API tokens stored hashed) and the
 * append-only {@link org.cogwork.api.security.AuditLog}.
 *
 * @since 0.3; 0.4 adds the {@code metrics} role
 */
@Export
@Version("0.4.0")
package org.cogwork.api.security;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
