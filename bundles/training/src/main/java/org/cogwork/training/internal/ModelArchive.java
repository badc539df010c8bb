package org.cogwork.training.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Function;
import org.cogwork.api.engine.Engine;
import org.cogwork.api.engine.Model;
import org.cogwork.api.engine.Task;
import org.cogwork.api.feature.FeaturePipelineService;
import org.cogwork.api.feature.FittedPipeline;
import org.cogwork.api.model.ModelPackage;

/** A registered model read back for evaluation, through {@link ModelPackage} (the one reader of model.zip). */
final class ModelArchive {
    private ModelArchive() {
    }

    /**
     * A model read back: the engine's model and the fitted pipeline, with what the manifest says about them.
     * Close it to release the engine's model.
     */
    record Loaded(ModelPackage.Manifest manifest, FittedPipeline pipeline, Model model) implements AutoCloseable {
        String engine() {
            return manifest.engine();
        }

        Task task() {
            return manifest.task();
        }

        /** The target column, or {@code null} (clustering). */
        String target() {
            return manifest.target();
        }

        @Override
        public void close() {
            model.close();
        }
    }

    /**
     * Reads a package.
     *
     * @param engines engine by name, {@code null} when none of that name is installed
     * @throws IOException when it is not a Cogwork model, or its engine or a transform is not installed (the
     *     message says which)
     */
    static Loaded read(InputStream zip, Function<String, Engine> engines, FeaturePipelineService pipelines) throws IOException {
        ModelPackage p = ModelPackage.read(zip);
        FittedPipeline pipeline = p.loadPipeline(pipelines);
        return new Loaded(p.manifest(), pipeline, p.loadModel(engines.apply(p.manifest().engine())));
    }
}
