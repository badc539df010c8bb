package org.cogwork.launcher;

import java.nio.file.Path;
import java.util.Properties;

/** Command-line options of {@code bin/cogwork}. */
record Options(String command, Path home, Integer port, String host, boolean shell, boolean clean, boolean safe) {

    static final String USAGE = """
            Usage: cogwork run [options]
              --home DIR    the Cogwork home (system/, deploy/, config/, data/); default: the distribution folder
              --port N      HTTP port (default: http.port in config/cogwork.properties, else 8080)
              --host ADDR   address to listen on (default: 127.0.0.1)
              --shell       also start the Gogo shell on this terminal
              --clean       discard the framework cache in data/ before starting (sources and
                            configuration in data/config are kept)
              --safe        safe mode: uploaded and deployed bundles stay installed but are not started
            """;

    /** Thrown for a command line we cannot run; the message is for the user. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    static Options parse(String[] args, Path defaultHome) throws UsageException {
        if (args.length == 0) {
            throw new UsageException("missing command");
        }
        String command = args[0];
        if (!command.equals("run") && !command.equals("help") && !command.equals("--help")) {
            throw new UsageException("unknown command '" + command + "'");
        }
        Path home = defaultHome;
        Integer port = null;
        String host = null;
        boolean shell = false;
        boolean clean = false;
        boolean safe = false;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--home" -> home = Path.of(value(args, ++i, a));
                case "--port" -> port = parsePort(value(args, ++i, a));
                case "--host" -> host = value(args, ++i, a);
                case "--shell" -> shell = true;
                case "--clean" -> clean = true;
                case "--safe" -> safe = true;
                default -> throw new UsageException("unknown option '" + a + "'");
            }
        }
        return new Options(command.equals("run") ? "run" : "help", home.toAbsolutePath().normalize(), port, host, shell, clean, safe);
    }

    private static String value(String[] args, int i, String option) throws UsageException {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new UsageException(option + " needs a value");
        }
        return args[i];
    }

    static int parsePort(String s) throws UsageException {
        try {
            int p = Integer.parseInt(s.trim());
            if (p < 1 || p > 65535) {
                throw new UsageException("port must be between 1 and 65535, was " + p);
            }
            return p;
        } catch (NumberFormatException e) {
            throw new UsageException("port must be a number, was '" + s + "'");
        }
    }

    /** The port to use: the command line, else the settings file, else 8080. */
    int effectivePort(Properties settings) throws UsageException {
        return port != null ? port : parsePort(settings.getProperty("http.port", "8080"));
    }

    String effectiveHost(Properties settings) {
        return host != null ? host : settings.getProperty("http.host", "127.0.0.1").trim();
    }
}
