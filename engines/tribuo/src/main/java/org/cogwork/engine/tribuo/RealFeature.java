package org.cogwork.engine.tribuo;

import com.google.protobuf.Any;
import org.tribuo.RealIDInfo;
import org.tribuo.RealInfo;
import org.tribuo.protos.core.RealIDInfoProto;
import org.tribuo.protos.core.VariableInfoProto;

/**
 * A numeric feature as {@link TrainingData} describes it to Tribuo: a {@link RealInfo} whose numbered form writes
 * itself. Tribuo writes each feature of a model through its reflective protobuf writer ({@code ProtoUtil}, which
 * looks its methods up again for every object): with 50,000 TF-IDF terms that was an eighth of an IMDB training job.
 * {@link Numbered#serialize} builds the very message Tribuo builds for a {@link RealIDInfo} (its class name, version
 * and fields; TribuoEngineTest compares the two), so the saved model reads back with Tribuo's own classes.
 */
class RealFeature extends RealInfo {
    private static final long serialVersionUID = 1L;

    RealFeature(String name, int count, double max, double min, double mean, double sumSquares) {
        super(name, count, max, min, mean, sumSquares);
    }

    @Override
    public RealIDInfo makeIDInfo(int id) {
        return new Numbered(this, id);
    }

    /** The feature with its id in a model's feature map. */
    static final class Numbered extends RealIDInfo {
        private static final long serialVersionUID = 1L;

        Numbered(RealInfo info, int id) {
            super(info, id);
        }

        @Override
        public VariableInfoProto serialize() {
            RealIDInfoProto data = RealIDInfoProto.newBuilder().setName(name).setCount(count).setId(getID())
                    .setMax(max).setMin(min).setMean(mean).setSumSquares(sumSquares).build();
            return VariableInfoProto.newBuilder().setVersion(CURRENT_VERSION).setClassName(RealIDInfo.class.getName())
                    .setSerializedData(Any.pack(data)).build();
        }

        @Override
        public RealIDInfo makeIDInfo(int id) {
            return new Numbered(this, id);
        }
    }
}
