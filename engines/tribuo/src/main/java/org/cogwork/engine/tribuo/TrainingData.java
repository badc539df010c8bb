package org.cogwork.engine.tribuo;

import java.util.HashMap;
import java.util.Map;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.MutableDataset;
import org.tribuo.Output;
import org.tribuo.OutputFactory;
import org.tribuo.provenance.DataProvenance;

/**
 * The training examples as Tribuo's trainers read them, with each feature described by its count, range, mean and
 * spread only. {@link MutableDataset#add} records every distinct value of every feature with its count (Tribuo's
 * {@code CategoricalInfo}, kept in the trained model and written with it): with TF-IDF features that is a map per
 * term of thousands of doubles, most of the time of building the data (HashMap merges) and of saving the model
 * (IMDB 10k: about a quarter of the job's CPU went to writing those maps through Tribuo's reflective protobuf
 * writer). Cogwork's engine reads none of it: categories reach Tribuo one-hot encoded, as numbers. So this dataset
 * keeps the running figures per feature and hands Tribuo a {@link org.tribuo.RealInfo} per feature when the rows are in
 * ({@link #seal}, a {@link RealFeature}, which also writes itself faster), the form Tribuo itself converts
 * high-cardinality features to.
 */
final class TrainingData<T extends Output<T>> extends MutableDataset<T> {
    private static final long serialVersionUID = 1L;

    /** Welford's running mean and squared deviations, with the range, of one feature's observed values. */
    private static final class Stats {
        int count;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double mean;
        double m2;

        void observe(double v) {
            count++;
            double d = v - mean;
            mean += d / count;
            m2 += d * (v - mean);
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
    }

    private transient Map<String, Stats> stats = new HashMap<>();
    private int fewestFeatures = Integer.MAX_VALUE;

    TrainingData(DataProvenance provenance, OutputFactory<T> factory) {
        super(provenance, factory);
    }

    @Override
    public void add(Example<T> example) {
        if (stats == null) {
            throw new IllegalStateException("the training data is sealed");
        }
        if (!example.validateExample()) {
            throw new IllegalArgumentException("Example had duplicate features, invalid features or no features.");
        }
        outputMap.observe(example.getOutput());
        data.add(example);
        for (Feature f : example) {
            Stats st = stats.get(f.getName());
            if (st == null) {
                st = new Stats();
                stats.put(f.getName(), st);
                featureMap.put(new RealFeature(f.getName(), 0, 0, 0, 0, 0)); // its name, until seal() describes it
            }
            st.observe(f.getValue());
        }
        // the example's feature names become the map's (one String per feature, not one per example and feature: a
        // vector's slot names are made per row), as MutableDataset does
        example.canonicalize(featureMap);
        fewestFeatures = Math.min(fewestFeatures, example.size());
    }

    /** Describes every feature seen to Tribuo; no row can be added after this. */
    TrainingData<T> seal() {
        stats.forEach((name, s) -> featureMap.put(new RealFeature(name, s.count, s.max, s.min, s.mean, s.m2)));
        dense = !data.isEmpty() && fewestFeatures == featureMap.size();
        stats = null;
        return this;
    }
}
