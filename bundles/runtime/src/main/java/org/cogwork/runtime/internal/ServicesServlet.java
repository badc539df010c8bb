package org.cogwork.runtime.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.cogwork.runtime.rest.ApiException;
import org.cogwork.runtime.rest.JsonServlet;
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
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code GET /api/services[?objectClass=..][&filter=(ldap)]}: the service registry as JSON. Properties that
 * the service's bundle declares as passwords in the MetaType of its (factory) PID are masked, and so are
 * passwords inside JDBC URLs. MetaType is required: without it secrets could not be told apart.
 */
@Component(name = "org.cogwork.runtime.services", service = Servlet.class)
@HttpWhiteboardServletPattern("/api/services")
public class ServicesServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    private final transient BundleContext ctx;
    private final transient MetaTypeService metaType;

    @Activate
    public ServicesServlet(BundleContext ctx, @Reference MetaTypeService metaType) {
        this.ctx = ctx;
        this.metaType = metaType;
    }

    @Override
    protected Reply handle(String method, String path, HttpServletRequest req) {
        if (!"GET".equals(method)) {
            throw methodNotAllowed(method, path);
        }
        ServiceReference<?>[] refs;
        try {
            refs = ctx.getAllServiceReferences(req.getParameter("objectClass"), req.getParameter("filter"));
        } catch (InvalidSyntaxException e) {
            throw ApiException.badRequest("filter", "invalid LDAP filter: " + e.getMessage());
        }
        List<Map<String, Object>> out = new ArrayList<>();
        if (refs != null) {
            Arrays.sort(refs, Comparator.comparingLong(r -> (Long) r.getProperty(Constants.SERVICE_ID)));
            for (ServiceReference<?> r : refs) {
                out.add(describe(r, metaType));
            }
        }
        return Reply.ok(out);
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
            return c.stream().map(ServicesServlet::plain).toList();
        }
        return String.valueOf(v);
    }
}
