package org.cogwork.api.serving;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Reads and changes models' traffic policies: the A/B split and shadow versions serving applies to default
 * traffic. Implemented by the serving bundle; the console and the active-learning loop (which promotes a better
 * version) use it instead of the model tag it is stored in. Every node sharing the metadata database applies the
 * same policy (read again at most once a second). Thread-safe.
 *
 * @since 0.2
 */
@ProviderType
public interface TrafficPolicyService {

    /** The model's policy, {@link TrafficPolicy#NONE} when it has none (or does not exist). */
    TrafficPolicy policy(String model);

    /**
     * Sets the model's policy ({@link TrafficPolicy#NONE} clears it) and publishes
     * {@link org.cogwork.api.event.Topics#TRAFFIC_CHANGED}.
     *
     * @param user who changes it (the authenticated principal's name)
     * @return the policy now in force
     * @throws org.cogwork.api.problem.NotFoundException when the model is not registered
     * @throws org.cogwork.api.problem.InvalidFieldException naming {@code split[i].version} or {@code shadow[i]}
     *     for a version the model does not have
     */
    TrafficPolicy set(String model, TrafficPolicy policy, String user);
}
