package org.cogwork.engine.djl;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The architecture of a trained network, enough to rebuild the same blocks before loading their parameters.
 *
 * @param kind {@code mlp} (dense input of {@code inputWidth} floats) or {@code text} (token ids, {@code inputWidth} long)
 * @param hidden hidden layer sizes
 * @param dropout dropout after each hidden layer
 * @param vocabulary token ids are below this ({@code text} only)
 * @param embeddingSize word vector size ({@code text} only)
 * @param inputWidth floats (or ids) per row
 * @param outputs class count, or 1 for regression
 */
record Network(String kind, int[] hidden, double dropout, int vocabulary, int embeddingSize, int inputWidth, int outputs) {
    Block build() {
        SequentialBlock net = new SequentialBlock();
        if (kind.equals("text")) {
            net.add(new EmbeddingBag(vocabulary, embeddingSize));
        }
        for (int size : hidden) {
            net.add(Linear.builder().setUnits(size).build());
            net.add(Activation.reluBlock());
            if (dropout > 0) {
                net.add(Dropout.builder().optRate((float) dropout).build());
            }
        }
        net.add(Linear.builder().setUnits(outputs).build());
        return net;
    }

    ObjectNode toJson() {
        ObjectNode n = ModelFile.JSON.createObjectNode().put("kind", kind).put("dropout", dropout).put("vocabulary", vocabulary)
                .put("embeddingSize", embeddingSize).put("inputWidth", inputWidth).put("outputs", outputs);
        for (int h : hidden) {
            n.withArray("hidden").add(h);
        }
        return n;
    }

    static Network fromJson(JsonNode n) {
        int[] hidden = new int[n.path("hidden").size()];
        for (int i = 0; i < hidden.length; i++) {
            hidden[i] = n.path("hidden").get(i).asInt();
        }
        return new Network(n.path("kind").asText(), hidden, n.path("dropout").asDouble(), n.path("vocabulary").asInt(),
                n.path("embeddingSize").asInt(), n.path("inputWidth").asInt(), n.path("outputs").asInt());
    }
}
