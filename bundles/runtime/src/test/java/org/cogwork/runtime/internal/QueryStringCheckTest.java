package org.cogwork.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QueryStringCheckTest {
    @Test
    void onlyPercentEncodedUtf8Passes() {
        assertTrue(QueryStringCheck.decodable("filter=name%20LIKE%20'a%25'&max=10&x=%C3%A9+y"));
        assertFalse(QueryStringCheck.decodable("filter=%zz"));
        assertFalse(QueryStringCheck.decodable("filter=%2"));
        assertFalse(QueryStringCheck.decodable("filter=%ff%fe"));
        assertFalse(QueryStringCheck.decodable("filter=é"));
    }
}
