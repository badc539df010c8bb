package org.cogwork.runtime.internal.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.cogwork.api.security.Role;
import org.cogwork.runtime.rest.ErrorShape;
import org.cogwork.runtime.rest.Route;
import org.junit.jupiter.api.Test;

class RouteTableTest {
    private static RouteTable table(String... methodAndPath) {
        List<RouteTable.Entry> entries = new ArrayList<>();
        for (String mp : methodAndPath) {
            String[] p = mp.split(" ");
            new Route.Builder(p[0], p[1], r -> entries.add(RouteTable.Entry.of(r, ErrorShape.DEFAULT, "t"))).roles(Role.DATA_SCIENTIST)
                    .handle(call -> mp);
        }
        return new RouteTable(entries);
    }

    private static RouteTable.Match find(RouteTable t, String method, String uri) {
        return t.find(method, RestDispatcher.split(uri));
    }

    @Test
    void literalsWinOverParametersAndTailsTakeTheRest() {
        RouteTable t = table("GET /api/models/{name}", "POST /api/models/{name}/predict", "GET /api/models/{name}/versions/{v}",
                "GET /api/models/{name}/{other}", "PUT /api/runs/{id}/artifacts/{path+}", "GET /api/sources/{id}/datasets/{dataset+}");
        assertEquals("/api/models/{name}/predict", find(t, "POST", "/api/models/credit/predict").entry().route().path());
        assertEquals("x/y/z.bin", find(t, "PUT", "/api/runs/r1/artifacts/x/y/z.bin").params().get("path"));
        assertEquals("a b/c.csv", find(t, "GET", "/api/sources/s/datasets/a%20b/c.csv").params().get("dataset"));
        assertEquals("a/b", find(t, "GET", "/api/models/a%2Fb").params().get("name"), "an encoded slash stays in its segment");
        assertEquals("/api/models/{name}/{other}", find(t, "GET", "/api/models/m/whatever").entry().route().path());
        assertNull(find(t, "GET", "/api/runs/r1/artifacts").entry(), "a tail needs at least one segment");
    }

    @Test
    void aMultiSegmentParameterMayBeFollowedByLiterals() {
        RouteTable t = table("GET /api/sources/{id}/datasets/{dataset+}/schema", "GET /api/sources/{id}/datasets/{dataset+}/preview",
                "POST /api/sources/{id}/datasets/{dataset+}/query", "GET /api/sources/{id}/datasets");
        RouteTable.Match m = find(t, "GET", "/api/sources/s3/datasets/2024/03/sales.csv/schema");
        assertEquals("/api/sources/{id}/datasets/{dataset+}/schema", m.entry().route().path());
        assertEquals("2024/03/sales.csv", m.params().get("dataset"));
        assertEquals("s3", m.params().get("id"));
        assertEquals("credit.csv", find(t, "GET", "/api/sources/f/datasets/credit.csv/preview").params().get("dataset"));
        assertNull(find(t, "GET", "/api/sources/f/datasets/schema").entry(), "the name needs at least one segment");
        assertEquals(Set.of("POST"), find(t, "GET", "/api/sources/f/datasets/a.csv/query").allowed());
        assertThrows(IllegalArgumentException.class, () -> table("GET /api/{a+}/x/{b+}"));
    }

    @Test
    void wrongMethodListsTheAllowedOnesAndUnknownPathsNone() {
        RouteTable t = table("GET /api/users", "POST /api/users");
        RouteTable.Match m = find(t, "DELETE", "/api/users");
        assertNull(m.entry());
        assertEquals(Set.of("GET", "POST"), m.allowed());
        assertNull(find(t, "GET", "/api/nothing").allowed());
    }

    @Test
    void clashesAreFoundWhateverTheParameterNames() {
        RouteTable t = table("GET /api/models/{name}");
        List<Route> made = new ArrayList<>();
        new Route.Builder("GET", "/api/models/{id}", made::add).roles().handle(call -> null);
        assertNotNull(t.clash(made.get(0)));
    }

    @Test
    void aRouteWithoutRolesIsRefused() {
        assertThrows(IllegalStateException.class, () -> new Route.Builder("GET", "/api/x", r -> { }).handle(call -> null));
    }

    @Test
    void stateChangingRoutesAreAuditedUnlessTheySayOtherwise() {
        List<Route> made = new ArrayList<>();
        new Route.Builder("POST", "/api/a", made::add).roles().handle(call -> null);
        new Route.Builder("GET", "/api/b", made::add).roles().handle(call -> null);
        new Route.Builder("POST", "/api/c", made::add).roles().audited(false).handle(call -> null);
        assertEquals(List.of(true, false, false), made.stream().map(Route::audited).toList());
    }
}
