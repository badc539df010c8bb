/**
 * The ONNX Runtime native host: the one place that loads ONNX Runtime's native library. Bundles that run ONNX models
 * (the ONNX engine, sentence embeddings) import {@code ai.onnxruntime} from this bundle and take their
 * {@link ai.onnxruntime.OrtEnvironment} from {@link org.cogwork.onnx.host.OnnxHost#environment()}.
 */
@Version("1.0.0")
package org.cogwork.onnx.host;

import org.osgi.annotation.versioning.Version;
