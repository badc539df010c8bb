package org.cogwork.runtime.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SecretsTest {
    @Test
    void passwordsInJdbcUrlsAreMaskedInAnyCase() {
        assertEquals("jdbc:postgresql://h/db?user=u&password=********&ssl=true",
                Secrets.maskUrl("jdbc:postgresql://h/db?user=u&password=hunter2&ssl=true"));
        assertEquals("jdbc:h2:mem:x;USER=sa;PASSWORD=********;MODE=MySQL", Secrets.maskUrl("jdbc:h2:mem:x;USER=sa;PASSWORD=s3cr3t;MODE=MySQL"));
        assertEquals("jdbc:mariadb://bob:********@h:3306/db", Secrets.maskUrl("jdbc:mariadb://bob:hunter2@h:3306/db"));
        assertEquals("x Password=******** y", Secrets.maskUrl("x Password=abc y"));
    }

    @Test
    void urlsWithoutPasswordsAreUnchanged() {
        for (String s : new String[] {"jdbc:postgresql://127.0.0.1:5432/test", "http://[::1]:8080/x", "jdbc:h2:tcp://h:9092/~/db;IFEXISTS=TRUE", "plain text"}) {
            assertEquals(s, Secrets.maskUrl(s));
        }
    }
}
