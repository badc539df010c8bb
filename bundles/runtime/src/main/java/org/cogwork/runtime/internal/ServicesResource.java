package org.cogwork.runtime.internal;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.runtime.rest.RestResource;
import org.cogwork.runtime.rest.Routes;
import org.cogwork.runtime.rest.Secrets;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.MetaTypeService;

/**
 * {@code GET /api/services[?objectClass=..][&filter=(ldap)]}: the service registry as JSON. Properties that
 * the service's bundle declares as passwords in the MetaType of its (factory) PID are masked, and so are
 * passwords inside JDBC URLs. MetaType is required: without it secrets could not be told apart. Admins only.
 */
@Component(name = "org.cogwork.runtime.services", service = RestResource.class)
public class ServicesResource implements RestResource {
    private final BundleContext ctx;
    private final MetaTypeService metaType;

    @Activate
    public ServicesResource(BundleContext ctx, @Reference MetaTypeService metaType) {
        this.ctx = ctx;
        this.metaType = metaType;
    }

    @Override
    public void routes(Routes r) {
        r.tag("services");
        r.get("/api/services").roles().returns(List.class)
                .query("objectClass", "only services registered under this interface")
                .query("filter", "an LDAP filter over service properties, e.g. (service.pid=org.cogwork.*)")
                .summary("the service registry, secrets masked")
                .handle(call -> services(call.query("objectClass"), call.query("filter")));
    }

    private List<Map<String, Object>> services(String objectClass, String filter) {
        ServiceReference<?>[] refs;
        try {
            refs = ctx.getAllServiceReferences(objectClass, filter);
        } catch (InvalidSyntaxException e) {
            throw new InvalidFieldException("filter", "invalid LDAP filter: " + e.getMessage());
        }
        List<Map<String, Object>> out = new ArrayList<>();
        if (refs != null) {
            Arrays.sort(refs, Comparator.comparingLong(x -> (Long) x.getProperty(Constants.SERVICE_ID)));
            for (ServiceReference<?> ref : refs) {
                out.add(describe(ref, metaType));
            }
        }
        return out;
    }

    static Map<String, Object> describe(ServiceReference<?> r, MetaTypeService metaType) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.getProperty(Constants.SERVICE_ID));
        m.put("objectClass", r.getProperty(Constants.OBJECTCLASS));
        Bundle b = r.getBundle();
        if (b != null) {
            m.put("bundle", Map.of("id", b.getBundleId(), "symbolicName", String.valueOf(b.getSymbolicName())));
        }
        Set<String> secrets = secretsOf(r, metaType);
        Map<String, Object> props = new TreeMap<>();
        for (String key : r.getPropertyKeys()) {
            if (!Constants.OBJECTCLASS.equals(key)) {
                props.put(key, secrets.contains(key) ? Secrets.MASK : plain(r.getProperty(key)));
            }
        }
        m.put("properties", props);
        Bundle[] users = r.getUsingBundles();
        m.put("usedBy", users == null ? List.of() : Arrays.stream(users).map(Bundle::getBundleId).toList());
        return m;
    }

    /** The password attributes of the configuration a service was made from, as its bundle declares them. */
    private static Set<String> secretsOf(ServiceReference<?> r, MetaTypeService metaType) {
        Object pid = r.getProperty(Constants.SERVICE_PID);
        Object factoryPid = r.getProperty("service.factoryPid");
        String lookup = factoryPid instanceof String f ? f : pid instanceof String p ? p : null;
        Secrets.Declared d = lookup == null ? null : Secrets.declared(metaType, r.getBundle(), lookup);
        return d == null ? Set.of() : d.secrets();
    }

    /** Strings (passwords in URLs masked), numbers, booleans and arrays of them; anything else as its string form. */
    private static Object plain(Object v) {
        if (v instanceof String s) {
            return Secrets.maskUrl(s);
        }
        if (v == null || v instanceof Number || v instanceof Boolean) {
            return v;
        }
        if (v.getClass().isArray()) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < Array.getLength(v); i++) {
                list.add(plain(Array.get(v, i)));
            }
            return list;
        }
        if (v instanceof java.util.Collection<?> c) {
            return c.stream().map(ServicesResource::plain).toList();
        }
        return String.valueOf(v);
    }
}
