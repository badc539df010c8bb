package org.cogwork.runtime.rest;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.osgi.framework.Bundle;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * What REST answers must not show. A configuration's secrets are the attributes its bundle declares as
 * {@link AttributeDefinition#PASSWORD} in its MetaType (e.g. {@code @AttributeDefinition(type =
 * AttributeType.PASSWORD)}); no list of words guesses them. Passwords written into JDBC URLs are masked in any
 * string shown.
 *
 * @since 0.2
 */
public final class Secrets {
    /** What a secret value is replaced with. */
    public static final String MASK = "********";

    // user:pass@ in //authority, and password=... (any case, also PASSWORD in H2's ;KEY=value settings)
    private static final Pattern USER_INFO = Pattern.compile("(//[^/@?;&\\s:]*):[^/@\\s]*@");
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(password\\s*=)[^&;\\s]*");

    private Secrets() {
    }

    /**
     * The metatype of {@code pid} (a PID or a factory PID) as {@code bundle} declares it.
     *
     * @return the attribute ids and whether each is a secret, or {@code null} when the bundle declares nothing
     *         for that PID (or {@code metaType} is {@code null})
     */
    public static Declared declared(MetaTypeService metaType, Bundle bundle, String pid) {
        if (metaType == null || bundle == null || pid == null) {
            return null;
        }
        MetaTypeInformation info = metaType.getMetaTypeInformation(bundle);
        if (info == null || !(contains(info.getPids(), pid) || contains(info.getFactoryPids(), pid))) {
            return null;
        }
        ObjectClassDefinition ocd;
        try {
            ocd = info.getObjectClassDefinition(pid, null);
        } catch (IllegalArgumentException e) {
            return null;
        }
        AttributeDefinition[] ads = ocd == null ? null : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
        if (ads == null) {
            return null;
        }
        Set<String> all = new HashSet<>();
        Set<String> secret = new HashSet<>();
        for (AttributeDefinition ad : ads) {
            all.add(ad.getID());
            if (ad.getType() == AttributeDefinition.PASSWORD) {
                secret.add(ad.getID());
            }
        }
        return new Declared(Set.copyOf(all), Set.copyOf(secret));
    }

    /** The attributes one configuration PID declares: all of them, and the secret ones. */
    public record Declared(Set<String> keys, Set<String> secrets) {
    }

    /** {@code text} with passwords in JDBC URLs ({@code //user:pass@}, {@code password=...}) masked. */
    public static String maskUrl(String text) {
        if (text == null) {
            return null;
        }
        String s = USER_INFO.matcher(text).replaceAll("$1:" + MASK + "@");
        return PASSWORD_PARAM.matcher(s).replaceAll("$1" + MASK);
    }

    /** A value as shown: strings with passwords in URLs masked, anything else as it is. */
    public static Object maskValue(Object value) {
        return value instanceof String s ? maskUrl(s) : value;
    }

    private static boolean contains(String[] ids, String id) {
        if (ids != null) {
            for (String s : ids) {
                if (id.equals(s)) {
                    return true;
                }
            }
        }
        return false;
    }
}
