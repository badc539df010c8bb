package org.cogwork.runtime.internal.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.cogwork.api.security.SecretBox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AesSecretBoxTest {
    @TempDir
    Path data;

    @Test
    void sealsOpensAndRefusesAnotherKey() throws Exception {
        AesSecretBox box = new AesSecretBox(AesSecretBox.loadKey(data));
        Path key = data.resolve("keys/secret.key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        String sealed = box.seal("s3cr3t-pw");
        assertTrue(SecretBox.isSealed(sealed), sealed);
        assertFalse(sealed.contains("s3cr3t"), sealed);
        assertNotEquals(sealed, box.seal("s3cr3t-pw"), "a fresh nonce each time");
        assertEquals("s3cr3t-pw", box.open(sealed));
        assertEquals(sealed, box.seal(sealed), "sealing twice changes nothing");
        assertEquals("typed-in-clear", box.open("typed-in-clear"), "clear values pass until they are sealed");
        assertEquals("s3cr3t-pw", new AesSecretBox(AesSecretBox.loadKey(data)).open(sealed), "the key file is reused");
        AesSecretBox other = new AesSecretBox(AesSecretBox.loadKey(data.resolve("other")));
        assertThrows(IllegalArgumentException.class, () -> other.open(sealed));
        String tampered = sealed.substring(0, sealed.length() - 4) + (sealed.endsWith("AAAA") ? "BBBB" : "AAAA");
        assertThrows(IllegalArgumentException.class, () -> box.open(tampered));
    }
}
