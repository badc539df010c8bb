package org.cogwork.api.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

class NamedServicesTest {
    static final String NAME = "cogwork.engine.name";

    /** A service reference with fixed properties, as the framework would hand one to a DS component. */
    record Ref(Map<String, Object> props) implements ServiceReference<Object> {
        static Ref of(String name, long id, Integer ranking) {
            Map<String, Object> p = new HashMap<>();
            if (name != null) {
                p.put(NAME, name);
            }
            p.put(Constants.SERVICE_ID, id);
            if (ranking != null) {
                p.put(Constants.SERVICE_RANKING, ranking);
            }
            return new Ref(p);
        }

        @Override
        public Object getProperty(String key) {
            return props.get(key);
        }

        @Override
        public String[] getPropertyKeys() {
            return props.keySet().toArray(String[]::new);
        }

        @Override
        public Bundle getBundle() {
            return null;
        }

        @Override
        public Bundle[] getUsingBundles() {
            return null;
        }

        @Override
        public boolean isAssignableTo(Bundle bundle, String className) {
            return true;
        }

        @Override
        public int compareTo(Object reference) {
            return 0;
        }

        @Override
        public Dictionary<String, Object> getProperties() {
            return new Hashtable<>(props);
        }

        @Override
        public <A> A adapt(Class<A> type) {
            return null;
        }
    }

    @Test
    void theFirstRegisteredProviderOfANameIsUsedAndTheNextTakesOverWhenItLeaves() {
        NamedServices<String> s = new NamedServices<>(NAME);
        Ref original = Ref.of("tribuo", 40, null);
        Ref later = Ref.of("tribuo", 90, null);
        assertEquals(Set.of("tribuo"), s.add(original, "original"));
        assertEquals(Set.of(), s.add(later, "impostor"), "a later provider changes nothing");
        assertEquals("original", s.get("tribuo"));
        assertFalse(s.isInUse("impostor"));

        assertEquals(Set.of(), s.remove(later));
        assertEquals("original", s.get("tribuo"));
        s.add(later, "impostor");
        assertEquals(Set.of("tribuo"), s.remove(original), "the name changes hands");
        assertEquals("impostor", s.get("tribuo"), "never a name pointing at nothing while a provider exists");
        assertEquals(Set.of("tribuo"), s.remove(later));
        assertNull(s.get("tribuo"));
        assertEquals(Set.of(), s.names());
    }

    @Test
    void theOrderOfBindingDoesNotMatterOnlyTheReferences() {
        NamedServices<String> s = new NamedServices<>(NAME);
        s.add(Ref.of("tribuo", 90, null), "impostor");
        assertEquals(Set.of("tribuo"), s.add(Ref.of("tribuo", 40, null), "original"),
                "DS may bind the later one first: the earlier service id still wins");
        assertEquals("original", s.get("tribuo"));
    }

    @Test
    void aHigherRankingWinsWhateverTheOrder() {
        NamedServices<String> s = new NamedServices<>(NAME);
        s.add(Ref.of("baseline", 10, null), "first");
        Ref ranked = Ref.of("baseline", 20, 5);
        s.add(ranked, "ranked");
        assertEquals("ranked", s.get("baseline"));
        ranked.props().put(Constants.SERVICE_RANKING, -1);
        assertEquals(Set.of("baseline"), s.modified(ranked));
        assertEquals("first", s.get("baseline"));
    }

    @Test
    void aRenamedServiceMovesAndAServiceWithoutANameIsNeverUsed() {
        NamedServices<String> s = new NamedServices<>(NAME);
        Ref r = Ref.of("a", 1, null);
        s.add(r, "x");
        s.add(Ref.of(null, 2, null), "nameless");
        s.add(Ref.of(" ", 3, null), "blank");
        assertEquals(Set.of("a"), s.names());
        r.props().put(NAME, "b");
        assertEquals(Set.of("a", "b"), s.modified(r));
        assertEquals(Map.of("b", "x"), s.inUse());
    }

    @Test
    void outsideOsgiTheFirstAddedWins() {
        NamedServices<String> s = new NamedServices<>(NAME);
        s.add("standardize", "built-in");
        s.add("standardize", "plugin");
        assertEquals("built-in", s.get("standardize"));
        assertEquals(Set.of("standardize"), s.remove("built-in"));
        assertEquals("plugin", s.get("standardize"));
    }

    @Test
    void byNameGroupsReferencesInTheSameOrder() {
        Ref a = Ref.of("tribuo", 90, null);
        Ref b = Ref.of("tribuo", 40, null);
        Ref c = Ref.of("djl", 50, null);
        Ref ranked = Ref.of("djl", 70, 1);
        Map<String, List<Ref>> groups = NamedServices.byName(List.of(a, b, c, ranked, Ref.of(null, 3, null)), NAME);
        assertEquals(List.of("djl", "tribuo"), List.copyOf(groups.keySet()));
        assertEquals(List.of(b, a), groups.get("tribuo"));
        assertEquals(List.of(ranked, c), groups.get("djl"));
        assertTrue(NamedServices.notUsed("engine name", "tribuo", b).startsWith("engine name 'tribuo' is already provided by "));
    }
}
