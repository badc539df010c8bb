package org.cogwork.connector.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.cogwork.api.connector.DataSource;
import org.cogwork.api.connector.DataSourceException;
import org.cogwork.api.connector.DatasetInfo;
import org.cogwork.api.connector.UnknownDatasetException;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.query.Query;
import org.cogwork.connector.support.BoundQuery;
import org.cogwork.connector.support.ChangeWatcher;
import org.cogwork.connector.support.RefreshEvents;
import org.cogwork.connector.support.TypeInference;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.result.ResultIterator;
import org.cogwork.api.security.SecretBox;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.Designate;

/**
 * A data source over a relational database. Datasets are the tables and views of one schema. Queries are
 * pushed down as one parameterised SELECT and streamed with a fetch size inside a read-only transaction
 * (PostgreSQL only streams with auto-commit off), so a table of any size reads in constant memory.
 */
@Component(service = DataSource.class, configurationPid = JdbcSourceConfig.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, property = DataSource.SOURCE_KIND + "=jdbc")
@Designate(ocd = JdbcSourceConfig.class, factory = true)
public class JdbcSource implements DataSource, AutoCloseable {
    private final String id;
    private final String url;
    private final String schemaName;
    private final int fetchSize;
    private final int queryTimeout;
    private final Map<String, DataType> overrides;
    private final String changeColumn;
    private final HikariDataSource pool;
    private final Jdbi jdbi;
    private final ChangeWatcher watcher;
    private final RefreshEvents refresh;

    @Activate
    public JdbcSource(JdbcSourceConfig config, BundleContext ctx, @Reference SecretBox box) {
        this(box.opened(JdbcSourceConfig.class, config, "password"), ctx == null ? null : ctx.getProperty("cogwork.data.dir"));
    }

    /** For use outside OSGi (tests, tools): {@code dataDir} holds the default embedded database. */
    public JdbcSource(JdbcSourceConfig config, String dataDir) {
        this.id = required(config.cogwork_source_id(), "cogwork.source.id");
        String u = config.url() == null ? "" : config.url().trim();
        Path dir = Path.of(dataDir == null ? "data" : dataDir, "sources");
        if (u.isEmpty()) {
            u = "jdbc:h2:file:" + dir.resolve(id).toAbsolutePath();
        }
        JdbcUrlPolicy.check(u, dir); // before anything connects: config files reach here without the REST check
        this.url = u;
        this.schemaName = config.schema() == null || config.schema().isBlank() ? null : config.schema().trim();
        this.fetchSize = atLeast(config.fetch_size(), 1, "fetch.size");
        this.queryTimeout = atLeast(config.query_timeout_seconds(), 1, "query.timeout.seconds");
        this.overrides = TypeInference.parseOverrides(config.types(), "types");
        this.changeColumn = config.change_column() == null || config.change_column().isBlank() ? null : config.change_column().trim();

        HikariConfig hc = new HikariConfig();
        hc.setPoolName("cogwork-" + id);
        hc.setDriverClassName(SqlDialect.driverFor(url));
        hc.setJdbcUrl(url);
        if (config.user() != null && !config.user().isBlank()) {
            hc.setUsername(config.user());
        }
        if (config.password() != null && !config.password().isEmpty()) {
            hc.setPassword(config.password());
        }
        hc.setMaximumPoolSize(atLeast(config.pool_max(), 1, "pool.max"));
        hc.setMinimumIdle(0);
        long connectMs = Math.max(250, atLeast(config.connect_timeout_seconds(), 1, "connect.timeout.seconds") * 1000L);
        hc.setConnectionTimeout(connectMs);
        hc.setValidationTimeout(Math.min(connectMs, 5000));
        hc.setInitializationFailTimeout(-1); // a database that is down now is a readable error at use, not a failed source
        hc.addDataSourceProperty("connectTimeout", url.startsWith("jdbc:postgresql:") ? connectMs / 1000 : connectMs);
        this.pool = new HikariDataSource(hc);
        this.jdbi = Jdbi.create(pool);
        this.refresh = new RefreshEvents(id, "jdbc");
        this.watcher = config.refresh_interval_seconds() > 0
                ? new ChangeWatcher(id, Duration.ofSeconds(config.refresh_interval_seconds()), this::fingerprints, refresh::refreshed)
                : null;
    }

    private static String required(String v, String field) {
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(field + " is required");
        }
        return v.trim();
    }

    private static int atLeast(int v, int min, String field) {
        if (v < min) {
            throw new IllegalArgumentException(field + " must be >= " + min + ", was " + v);
        }
        return v;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setEvents(EventAdmin events) {
        refresh.bind(events);
    }

    void unsetEvents(EventAdmin events) {
        refresh.unbind(events);
    }

    @Deactivate
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        pool.close();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String kind() {
        return "jdbc";
    }

    /** The Jdbi of this source, for tests and tools that load data into it. */
    Jdbi jdbi() {
        return jdbi;
    }

    @Override
    public List<DatasetInfo> datasets() throws DataSourceException {
        return withHandle(h -> {
            List<DatasetInfo> out = new ArrayList<>();
            for (String t : tables(h)) {
                out.add(new DatasetInfo(t, null));
            }
            return out;
        });
    }

    private List<String> tables(Handle h) throws SQLException {
        Connection c = h.getConnection();
        DatabaseMetaData md = c.getMetaData();
        boolean catalogIsSchema = isMariaDb();
        String schema = schemaName != null ? schemaName : catalogIsSchema ? c.getCatalog() : c.getSchema();
        List<String> names = new ArrayList<>();
        try (ResultSet rs = catalogIsSchema
                ? md.getTables(schema, null, "%", new String[] {"TABLE", "VIEW"})
                : md.getTables(null, schema, "%", new String[] {"TABLE", "VIEW", "BASE TABLE"})) {
            while (rs.next()) {
                names.add(rs.getString("TABLE_NAME"));
            }
        }
        names.sort(null);
        return names;
    }

    private boolean isMariaDb() {
        return url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:");
    }

    private SqlDialect dialect(Handle h) throws SQLException {
        return new SqlDialect(h.getConnection().getMetaData().getIdentifierQuoteString());
    }

    private String from(Handle h, String table) throws SQLException {
        if (!tables(h).contains(table)) {
            throw new UnknownDatasetException("unknown dataset '" + table + "' in source '" + id + "'; datasets are " + tables(h));
        }
        return dialect(h).qualified(isMariaDb() ? null : schemaName, table);
    }

    @Override
    public Schema schema(String dataset) throws DataSourceException {
        return withHandle(h -> schemaOf(h, dataset));
    }

    private Schema schemaOf(Handle h, String table) throws SQLException {
        String from = from(h, table);
        try (var st = h.getConnection().prepareStatement("SELECT * FROM " + from + " WHERE 1 = 0");
             ResultSet rs = st.executeQuery()) {
            ResultSetMetaData md = rs.getMetaData();
            List<Field> fields = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                String name = md.getColumnLabel(i);
                DataType t = overrides.getOrDefault(name, typeOf(md, i));
                fields.add(new Field(name, t, md.isNullable(i) != ResultSetMetaData.columnNoNulls));
            }
            return new Schema(fields);
        }
    }

    static DataType typeOf(ResultSetMetaData md, int i) throws SQLException {
        return switch (md.getColumnType(i)) {
            case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> DataType.INT;
            case Types.NUMERIC, Types.DECIMAL -> md.getScale(i) == 0 && md.getPrecision(i) > 0 && md.getPrecision(i) <= 18
                    ? DataType.INT : DataType.DOUBLE;
            case Types.REAL, Types.FLOAT, Types.DOUBLE -> DataType.DOUBLE;
            case Types.BOOLEAN, Types.BIT -> DataType.BOOLEAN;
            case Types.DATE -> DataType.DATE;
            case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> DataType.TIMESTAMP;
            case Types.CLOB, Types.NCLOB, Types.LONGVARCHAR, Types.LONGNVARCHAR -> DataType.TEXT;
            default -> md.getPrecision(i) > 255 && md.getPrecision(i) < Integer.MAX_VALUE ? DataType.TEXT
                    : md.getPrecision(i) >= Integer.MAX_VALUE ? DataType.TEXT : DataType.STRING;
        };
    }

    @Override
    public Dataset read(String dataset, Query query) throws DataSourceException {
        record Prepared(Schema full, SqlDialect.Statement sql) {
        }
        Prepared p = withHandle(h -> {
            Schema full = schemaOf(h, dataset);
            BoundQuery bound = BoundQuery.bind(query, full);
            return new Prepared(bound.outputSchema(), dialect(h).select(from(h, dataset), bound));
        });
        Schema out = p.full();
        return new Dataset() {
            @Override
            public Schema schema() {
                return out;
            }

            @Override
            public RowCursor open() {
                return stream(out, p.sql());
            }
        };
    }

    private RowCursor stream(Schema schema, SqlDialect.Statement stmt) {
        Handle h = jdbi.open();
        try {
            h.begin();
            var q = h.createQuery(stmt.sql()).setFetchSize(fetchSize).setQueryTimeout(queryTimeout);
            for (int i = 0; i < stmt.params().size(); i++) {
                bind(q, i, stmt.params().get(i));
            }
            ResultIterator<Row> it = q.map((rs, ctx) -> toRow(schema, rs)).iterator();
            return new RowCursor() {
                private boolean closed;

                @Override
                public boolean hasNext() {
                    return !closed && it.hasNext();
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return it.next();
                }

                @Override
                public void close() {
                    if (!closed) {
                        closed = true;
                        try {
                            it.close();
                        } finally {
                            try {
                                h.rollback();
                            } finally {
                                h.close();
                            }
                        }
                    }
                }
            };
        } catch (RuntimeException e) {
            h.close();
            throw e;
        }
    }

    private static void bind(org.jdbi.v3.core.statement.Query q, int i, Object v) {
        if (v instanceof Long l) {
            q.bind(i, l);
        } else if (v instanceof Double d) {
            q.bind(i, d);
        } else if (v instanceof Boolean b) {
            q.bind(i, b);
        } else if (v instanceof LocalDate d) {
            q.bind(i, java.sql.Date.valueOf(d));
        } else if (v instanceof Instant t) {
            q.bind(i, Timestamp.from(t));
        } else {
            q.bind(i, (String) v);
        }
    }

    private static Row toRow(Schema schema, ResultSet rs) throws SQLException {
        Object[] values = new Object[schema.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = normalise(rs.getObject(i + 1), schema.fields().get(i).type());
        }
        return new Row(schema, values);
    }

    /** JDBC values to the Java types of {@link DataType}. */
    static Object normalise(Object v, DataType type) throws SQLException {
        if (v == null) {
            return null;
        }
        return switch (type) {
            case INT -> v instanceof Number n ? (Object) n.longValue() : Long.valueOf(v.toString());
            case DOUBLE -> v instanceof Number n ? (Object) n.doubleValue() : Double.valueOf(v.toString());
            case BOOLEAN -> v instanceof Boolean b ? b : v instanceof Number n ? n.intValue() != 0 : Boolean.valueOf(v.toString());
            case DATE -> v instanceof java.sql.Date d ? d.toLocalDate() : v instanceof LocalDate d ? d : LocalDate.parse(v.toString());
            case TIMESTAMP -> v instanceof Timestamp t ? t.toInstant() : v instanceof OffsetDateTime o ? o.toInstant()
                    : v instanceof LocalDateTime l ? l.toInstant(ZoneOffset.UTC) : v instanceof Instant i ? i : Instant.parse(v.toString());
            default -> v instanceof Clob c ? c.getSubString(1, (int) Math.min(Integer.MAX_VALUE, c.length()))
                    : v instanceof BigDecimal || v instanceof BigInteger ? v.toString() : v.toString();
        };
    }

    @Override
    public void test() throws DataSourceException {
        withHandle(h -> h.getConnection().isValid(5));
    }

    private Map<String, String> fingerprints() throws DataSourceException {
        return withHandle(h -> {
            Map<String, String> out = new HashMap<>();
            SqlDialect d = dialect(h);
            for (String t : tables(h)) {
                String from = d.qualified(isMariaDb() ? null : schemaName, t);
                boolean hasColumn = changeColumn != null && schemaOf(h, t).indexOf(changeColumn) >= 0;
                if (changeColumn != null && !hasColumn) {
                    continue; // with a change column, only the tables that have it are watched (no full counts)
                }
                String sql = hasColumn ? "SELECT MAX(" + d.quote(changeColumn) + ") FROM " + from : "SELECT COUNT(*) FROM " + from;
                out.put(t, String.valueOf(h.createQuery(sql).setQueryTimeout(queryTimeout).mapTo(String.class).one()));
            }
            return out;
        });
    }


    @FunctionalInterface
    private interface Work<T> {
        T run(Handle h) throws SQLException;
    }

    /**
     * Runs metadata work on a pooled connection; connection and SQL failures become a DataSourceException
     * whose message names the database (never the password) and the root cause.
     */
    private <T> T withHandle(Work<T> work) throws DataSourceException {
        try (Handle h = jdbi.open()) {
            return work.run(h);
        } catch (SQLException | org.jdbi.v3.core.ConnectionException | org.jdbi.v3.core.statement.StatementException e) {
            throw new DataSourceException("database " + safeUrl() + ": " + rootMessage(e), e);
        }
    }

    /** The URL without its query string or user info (where credentials might hide). */
    String safeUrl() {
        int q = url.indexOf('?');
        int semi = url.startsWith("jdbc:h2:") ? url.indexOf(';') : -1;
        int cut = q >= 0 ? q : semi >= 0 ? semi : url.length();
        return url.substring(0, cut).replaceFirst("//[^/@]*@", "//");
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
