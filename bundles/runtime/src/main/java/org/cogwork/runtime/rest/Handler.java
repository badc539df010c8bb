package org.cogwork.runtime.rest;

import java.io.IOException;

/** What a route does: returns a body, a {@link Reply}, or {@code null} for 204; throws ApiException types. */
@FunctionalInterface
public interface Handler<B> {
    Object handle(Call<B> call) throws IOException;
}
