package org.cogwork.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FailuresTest {
    @Test
    void configurationFilesNameTheirPid() {
        assertEquals("org.cogwork.runtime", Failures.pidOf(Path.of("/h/config/org.cogwork.runtime.cfg")));
        assertEquals("org.cogwork.artifacts.s3~lake", Failures.pidOf(Path.of("/h/config/org.cogwork.artifacts.s3-lake.cfg")));
        assertEquals("org.example~a-b", Failures.pidOf(Path.of("/h/config/org.example-a-b.config")));
    }

    @Test
    void scrFailureTextGivesTheComponentsOwnException() {
        String failure = "java.lang.reflect.InvocationTargetException\n\tat x.y(Z.java:1)\n"
                + "Caused by: java.lang.IllegalArgumentException: bucket must be a bucket name without '/'\n\tat a.b(C.java:2)\n";
        assertEquals("java.lang.IllegalArgumentException: bucket must be a bucket name without '/'", HealthServlet.cause(failure));
        assertEquals("java.lang.IllegalStateException: boom", HealthServlet.cause("java.lang.IllegalStateException: boom\n\tat a.b(C.java:2)"));
        assertEquals("(no reason given)", HealthServlet.cause(null));
        assertEquals("java.lang.IllegalStateException: x", Failures.unwrapped("org.apache.felix.log.LogException: java.lang.IllegalStateException: x"));
    }
}
