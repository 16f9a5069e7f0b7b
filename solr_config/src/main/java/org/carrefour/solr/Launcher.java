package org.carrefour.solr;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.core.CoreContainer;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Runs one real Solr node on 127.0.0.1 for Carrefour and creates the core (or collection) from the
 * configset in {@code solr_config/configset}.
 *
 * <pre>
 * Launcher --port 8983 --home build/solr-home --configset solr_config/configset [--core carrefour]
 *          [--cloud] [--exit-on-stdin-eof]
 * </pre>
 *
 * Standalone mode runs {@link JettySolrRunner}; {@code --cloud} runs a one-node {@link MiniSolrCloudCluster}
 * with an embedded ZooKeeper. When the core answers, one line is printed on standard output:
 * {@code CARREFOUR-SOLR READY <core url>}. With {@code --exit-on-stdin-eof} the node stops when its
 * standard input is closed (so a test run that dies leaves no Solr behind).
 */
public final class Launcher {
  private static final String CONFIGSET = "carrefour";

  private Launcher() {}

  public static void main(String[] args) throws Exception {
    int port = 8983;
    Path home = null;
    Path configset = null;
    String core = "carrefour";
    boolean cloud = false;
    boolean exitOnEof = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--home" -> home = Path.of(args[++i]).toAbsolutePath();
        case "--configset" -> configset = Path.of(args[++i]).toAbsolutePath();
        case "--core" -> core = args[++i];
        case "--cloud" -> cloud = true;
        case "--exit-on-stdin-eof" -> exitOnEof = true;
        default -> {
          System.err.println("Argument inconnu : " + args[i]);
          System.err.println(
              "Usage : Launcher --port N --home DIR --configset DIR [--core NOM] [--cloud] [--exit-on-stdin-eof]");
          System.exit(2);
        }
      }
    }
    if (home == null || configset == null || !Files.isRegularFile(configset.resolve("conf/solrconfig.xml"))) {
      System.err.println("--home et --configset (un dossier qui contient conf/solrconfig.xml) sont requis");
      System.exit(2);
    }
    Files.createDirectories(home);
    JettyConfig jettyConfig = JettyConfig.builder().setPort(port).setContext("/solr").stopAtShutdown(true).build();

    final AutoCloseable node;
    String url;
    if (cloud) {
      MiniSolrCloudCluster cluster = new MiniSolrCloudCluster(1, home, jettyConfig);
      cluster.uploadConfigSet(configset.resolve("conf"), CONFIGSET);
      CollectionAdminRequest.createCollection(core, CONFIGSET, 1, 1).process(cluster.getSolrClient());
      cluster.waitForActiveCollection(core, 1, 1);
      url = cluster.getJettySolrRunner(0).getBaseUrl() + "/" + core;
      node = cluster::shutdown;
    } else {
      Path solrXml = home.resolve("solr.xml");
      if (!Files.exists(solrXml)) {
        Files.writeString(solrXml, "<solr/>\n", StandardCharsets.UTF_8);
      }
      // The configset is copied at every start: a changed schema applies on the next start.
      copyTree(configset.resolve("conf"), home.resolve("configsets").resolve(CONFIGSET).resolve("conf"));
      JettySolrRunner jetty = new JettySolrRunner(home.toString(), jettyConfig);
      jetty.start();
      CoreContainer cores = jetty.getCoreContainer();
      if (!cores.getAllCoreNames().contains(core)) {
        cores.create(core, home.resolve(core), Map.of("configSet", CONFIGSET), false);
      }
      url = jetty.getBaseUrl() + "/" + core;
      node = jetty::stop;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(node)));
    System.out.println("CARREFOUR-SOLR READY " + url);
    System.out.flush();
    if (exitOnEof) {
      InputStream in = System.in;
      byte[] buffer = new byte[256];
      while (in.read(buffer) >= 0) {
        // nothing to read: the parent keeps the pipe open while it wants Solr
      }
      System.exit(0);
    } else {
      Thread.currentThread().join();
    }
  }

  private static void stopQuietly(AutoCloseable node) {
    try {
      node.close();
    } catch (Exception e) {
      System.err.println("Arrêt de Solr : " + e);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        Files.createDirectories(to.resolve(from.relativize(dir).toString()));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
