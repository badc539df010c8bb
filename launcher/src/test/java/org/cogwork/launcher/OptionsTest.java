package org.cogwork.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class OptionsTest {
    private final Path home = Path.of("/opt/cogwork");

    @Test
    void commandLineWinsOverSettings() throws Exception {
        Options o = Options.parse(new String[] {"run", "--port", "9090", "--shell"}, home);
        Properties settings = new Properties();
        settings.setProperty("http.port", "8081");
        assertEquals(9090, o.effectivePort(settings));
        assertEquals("127.0.0.1", o.effectiveHost(settings));
        assertTrue(o.shell());
        assertEquals(8081, Options.parse(new String[] {"run"}, home).effectivePort(settings));
        assertEquals(8080, Options.parse(new String[] {"run"}, home).effectivePort(new Properties()));
    }

    @Test
    void badInputIsNamed() {
        assertEquals("port must be between 1 and 65535, was 70000", assertThrows(Options.UsageException.class,
                () -> Options.parse(new String[] {"run", "--port", "70000"}, home)).getMessage());
        assertEquals("--home needs a value", assertThrows(Options.UsageException.class,
                () -> Options.parse(new String[] {"run", "--home"}, home)).getMessage());
        assertEquals("unknown option '--prot'", assertThrows(Options.UsageException.class,
                () -> Options.parse(new String[] {"run", "--prot", "1"}, home)).getMessage());
        assertEquals("unknown command 'start'", assertThrows(Options.UsageException.class,
                () -> Options.parse(new String[] {"start"}, home)).getMessage());
    }

    @Test
    void busyPortIsReportedBeforeBooting() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Main.StartupException e = assertThrows(Main.StartupException.class,
                    () -> Main.checkPortFree("127.0.0.1", taken.getLocalPort()));
            assertTrue(e.getMessage().contains("port " + taken.getLocalPort() + " on 127.0.0.1 is already in use"), e.getMessage());
        }
    }
}
