/**
 * The XGBoost native host: the one place that loads libxgboost4j. Engine adapters call
 * {@link org.cogwork.xgboost.host.XGBoostHost#load()} before any other use of {@code ml.dmlc.xgboost4j.java}.
 */
@Version("1.0.0")
package org.cogwork.xgboost.host;

import org.osgi.annotation.versioning.Version;
