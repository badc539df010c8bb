package org.cogwork.api.security;

/**
 * Seals secrets for storage (source passwords, S3 keys, the registry database password) and opens them for use.
 * A sealed value reads {@code {enc}...}: AES-256-GCM under the installation's key, so a copied config folder,
 * database dump or backup shows no secret. The runtime seals every configuration property its MetaType declares
 * a password as soon as it is stored; the component that uses the value calls {@link #open} on it.
 */
public interface SecretBox {
    /** The prefix of a sealed value. */
    String PREFIX = "{enc}";

    /** {@code clear} sealed; a value already sealed is returned as it is. */
    String seal(String clear);

    /**
     * The clear text of a sealed value; any other value ({@code null}, empty, written in clear by hand and not
     * sealed yet) is returned as it is.
     *
     * @throws IllegalArgumentException when the value was sealed under another key or was altered
     */
    String open(String stored);

    /**
     * A view of a configuration object (a component property type) whose {@code methods} return opened values: for
     * the {@code @Activate} constructor of a component with secrets in its configuration.
     */
    default <T> T opened(Class<T> type, T config, String... methods) {
        java.util.Set<String> names = java.util.Set.of(methods);
        return type.cast(java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, m, args) -> {
            Object v;
            try {
                v = m.invoke(config, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
            return names.contains(m.getName()) && v instanceof String s ? open(s) : v;
        }));
    }

    static boolean isSealed(String value) {
        return value != null && value.startsWith(PREFIX);
    }
}
