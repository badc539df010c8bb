package org.cogwork.sdk.resolution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import org.cogwork.features.winsorize.Winsorize;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResolutionCheckTest {
    @TempDir
    Path tmp;

    /** A bundle jar with these manifest headers and one class file's worth of content. */
    private Path bundle(String name, Map<String, String> headers) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        headers.forEach((k, v) -> a.put(new Attributes.Name(k), v));
        Path jar = tmp.resolve(name + ".jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            j.putNextEntry(new ZipEntry("readme.txt"));
            j.write("test bundle".getBytes());
        }
        return jar;
    }

    @Test
    void theWinsorizePluginResolves() throws Exception {
        Path jar = Path.of(Winsorize.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ResolutionCheck.Report r = ResolutionCheck.check(jar);
        assertTrue(r.resolved(), r.toString());
        assertTrue(r.platform().size() > 25, "the platform bundles: " + r.platform());
        ResolutionCheck.assertResolves(jar);
    }

    @Test
    void unresolvedImportsAreReportedInManifestTermsWithWhatThePlatformHas() throws Exception {
        Path jar = bundle("smile", Map.of("Bundle-ManifestVersion", "2", "Bundle-SymbolicName", "org.example.smile",
                "Bundle-Version", "1.0.0", "Import-Package", "smile.classification;version=\"[3.1,4)\", org.slf4j;version=\"[3.0,4)\","
                        + " org.cogwork.api.engine;version=\"[0.4,1)\", org.example.optional;resolution:=optional",
                "DynamicImport-Package", "*"));
        ResolutionCheck.Report r = ResolutionCheck.check(jar);
        assertFalse(r.resolved());
        assertEquals(2, r.problems().size(), r.toString());
        String text = r.toString();
        assertTrue(text.startsWith("org.example.smile 1.0.0 does not resolve in Cogwork"), text);
        assertTrue(text.contains("Import-Package: smile.classification;version=\"[3.1.0,4.0.0)\"\n    no platform bundle exports"
                + " smile.classification: embed the library privately"), text);
        assertTrue(text.contains("Import-Package: org.slf4j;version=\"[3.0.0,4.0.0)\"\n    the platform exports org.slf4j 2.0.16"
                + " (the system bundle)"), text);
        assertFalse(text.contains("org.example.optional") || text.contains("DynamicImport") || text.contains("osgi.wiring.package=*"),
                "optional and dynamic imports are not problems: " + text);
        assertTrue(r.detail() != null && (r.detail().contains("smile.classification") || r.detail().contains("org.slf4j")),
                "Felix's own message comes along: " + r.detail());
        AssertionError e = assertThrows(AssertionError.class, () -> ResolutionCheck.assertResolves(jar));
        assertEquals(text, e.getMessage());
    }

    @Test
    void exportingAPlatformPackageFails() throws Exception {
        Path jar = bundle("thief", Map.of("Bundle-ManifestVersion", "2", "Bundle-SymbolicName", "org.example.thief",
                "Bundle-Version", "1.0.0", "Export-Package", "org.cogwork.api.engine;version=\"0.4.0\", com.fasterxml.jackson.core;version=\"2.18.2\""));
        ResolutionCheck.Report r = ResolutionCheck.check(jar);
        assertEquals(2, r.problems().size(), r.toString());
        assertTrue(r.toString().contains("Export-Package: org.cogwork.api.engine\n    only the platform (the API) may export it"), r.toString());
        assertTrue(r.toString().contains("Export-Package: com.fasterxml.jackson.core\n    only the platform (com.fasterxml.jackson.core.jackson-core)"), r.toString());
    }

    @Test
    void aJarThatIsNoBundleOrNoJarAtAllIsNamed() throws Exception {
        Path plain = bundle("plain", Map.of());
        AssertionError e = assertThrows(AssertionError.class, () -> ResolutionCheck.check(plain));
        assertTrue(e.getMessage().contains("not an OSGi bundle (no Bundle-SymbolicName"), e.getMessage());
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> ResolutionCheck.check(tmp.resolve("none.jar")));
        assertTrue(missing.getMessage().contains("-D" + ResolutionCheck.BUNDLE_PROPERTY), missing.getMessage());
    }

    /** The check's platform is the launcher's system/ less the native hosts, and its system packages the launcher's. */
    @Test
    void thePlatformIsTheLaunchersSystemFolder() throws Exception {
        String pom = Files.readString(Path.of("../../launcher/pom.xml"));
        Matcher dep = Pattern.compile("<artifactId>([^<]+)</artifactId>(?:<version>[^<]*</version>)?(?:<classifier>[^<]*</classifier>)?"
                + "<scope>runtime</scope>").matcher(pom);
        TreeSet<String> launcher = new TreeSet<>();
        while (dep.find()) {
            launcher.add(dep.group(1));
        }
        launcher.removeIf(a -> a.startsWith("org.apache.felix.gogo.") || a.equals("org.cogwork.djl.native")
                || a.equals("org.cogwork.xgboost.native") || a.equals("org.cogwork.onnx.native"));
        TreeSet<String> embedded = new TreeSet<>();
        for (String file : ResolutionCheck.platformBundles().keySet()) {
            embedded.add(file.replaceAll("-\\d[^-]*(-SNAPSHOT)?\\.jar$", ""));
        }
        assertEquals(launcher, embedded, "launcher/pom.xml's system/ bundles and sdk/resolution-check/pom.xml's must agree");

        String boot = Files.readString(Path.of("../../launcher/src/main/java/org/cogwork/launcher/Boot.java"));
        Matcher extra = Pattern.compile("SLF4J_EXPORTS\\s*=\\s*((?:\"[^\"]*\"\\s*\\+?\\s*)+);").matcher(boot);
        assertTrue(extra.find() && boot.contains("FRAMEWORK_SYSTEMPACKAGES_EXTRA, SLF4J_EXPORTS"), "Boot sets the system packages extra");
        List<String> parts = new ArrayList<>();
        Matcher literal = Pattern.compile("\"([^\"]*)\"").matcher(extra.group(1));
        while (literal.find()) {
            parts.add(literal.group(1));
        }
        assertEquals(String.join("", parts), ResolutionCheck.SYSTEM_PACKAGES_EXTRA, "the launcher's system packages");
    }
}
