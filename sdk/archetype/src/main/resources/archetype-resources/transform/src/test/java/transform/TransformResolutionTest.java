package ${package}.transform;

import org.cogwork.sdk.resolution.ResolutionCheck;
import org.junit.jupiter.api.Test;

/**
 * The packaged bundle resolves in Cogwork: installed into a real Felix with the platform's system/ bundles. Runs
 * after package (cogwork-plugin-parent runs *ResolutionTest classes in the integration-test phase).
 */
class TransformResolutionTest {
    @Test
    void resolvesInCogwork() {
        ResolutionCheck.assertResolves();
    }
}
