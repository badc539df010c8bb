/**
 * The DJL native host: the one place that touches DJL's engine registry and loads libtorch. Engine adapters
 * call {@link org.cogwork.djl.host.NativeHost#pytorch()} before any other DJL use.
 */
@Version("1.0.0")
package org.cogwork.djl.host;

import org.osgi.annotation.versioning.Version;
