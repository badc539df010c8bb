package org.cogwork.runtime.internal.secrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.cogwork.api.security.SecretBox;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * AES-256-GCM with a random 96-bit nonce per value: {@code {enc}base64(nonce | ciphertext | tag)}. The key is
 * {@code COGWORK_SECRET_KEY} (base64 of 32 bytes) when set, so it need not be on the disk at all; otherwise
 * {@code data/keys/secret.key}, made at first start, readable by the owner only. Keep that file out of backups
 * of the config folder and the database: with it, sealed values can be opened.
 */
@Component(service = SecretBox.class, immediate = true)
public class AesSecretBox implements SecretBox {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;
    private final SecretKey key;

    @Activate
    public AesSecretBox(BundleContext ctx) {
        this(loadKey(Path.of(ctx.getProperty("cogwork.data.dir") == null ? "data" : ctx.getProperty("cogwork.data.dir"))));
    }

    AesSecretBox(SecretKey key) {
        this.key = key;
    }

    static SecretKey loadKey(Path dataDir) {
        String env = System.getenv("COGWORK_SECRET_KEY");
        try {
            byte[] raw;
            if (env != null && !env.isBlank()) {
                raw = Base64.getDecoder().decode(env.strip());
            } else {
                Path file = dataDir.resolve("keys").resolve("secret.key");
                if (!Files.exists(file)) {
                    Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                    byte[] fresh = new byte[32];
                    RANDOM.nextBytes(fresh);
                    try {
                        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                        Files.writeString(file, Base64.getEncoder().encodeToString(fresh) + "\n", StandardCharsets.US_ASCII);
                    } catch (FileAlreadyExistsException raced) {
                        // another start made it first: use theirs
                    }
                }
                raw = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
            }
            if (raw.length != 32) {
                throw new IllegalStateException("the secret key must be 32 bytes (base64), was " + raw.length);
            }
            return new SecretKeySpec(raw, "AES");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the secret key in " + dataDir.resolve("keys"), e);
        }
    }

    @Override
    public String seal(String clear) {
        if (clear == null || SecretBox.isSealed(clear)) {
            return clear;
        }
        try {
            byte[] nonce = new byte[NONCE];
            RANDOM.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = c.doFinal(clear.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE);
            System.arraycopy(sealed, 0, out, NONCE, sealed.length);
            return PREFIX + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    @Override
    public String open(String stored) {
        if (!SecretBox.isSealed(stored)) {
            return stored;
        }
        try {
            byte[] in = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE));
            return new String(c.doFinal(in, NONCE, in.length - NONCE), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("a sealed secret cannot be opened: it was sealed under another key (data/keys/secret.key "
                    + "or COGWORK_SECRET_KEY changed) or altered; set it again in clear");
        }
    }
}
