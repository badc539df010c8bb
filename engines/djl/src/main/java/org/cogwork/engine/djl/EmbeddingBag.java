package org.cogwork.engine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The mean of the embeddings of a padded row of token ids: input {@code (batch, length)} ids where 0 is padding,
 * output {@code (batch, size)}. Padding is left out of the mean; a row of padding only gives zeros.
 */
final class EmbeddingBag extends AbstractBlock {
    private static final byte VERSION = 1;
    private final int size;
    private final Parameter embedding;

    EmbeddingBag(int vocabulary, int size) {
        super(VERSION);
        this.size = size;
        this.embedding = addParameter(Parameter.builder().setName("embedding").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(vocabulary, size)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.singletonOrThrow().toType(DataType.INT64, false);
        NDArray weight = store.getValue(embedding, ids.getDevice(), training);
        NDArray vectors = Embedding.embedding(ids, weight, SparseFormat.DENSE).singletonOrThrow(); // (b, len, size)
        NDArray mask = ids.gt(0).toType(DataType.FLOAT32, false);                              // (b, len)
        NDArray summed = vectors.mul(mask.expandDims(2)).sum(new int[] {1});                      // (b, size)
        NDArray counts = mask.sum(new int[] {1}, true).maximum(1f);                               // (b, 1)
        return new NDList(summed.div(counts));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), size)};
    }
}
