package squall.bench;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.storm.Config;
import org.apache.storm.LocalCluster;
import org.apache.storm.spout.SpoutOutputCollector;
import org.apache.storm.task.OutputCollector;
import org.apache.storm.task.TopologyContext;
import org.apache.storm.topology.OutputFieldsDeclarer;
import org.apache.storm.topology.TopologyBuilder;
import org.apache.storm.topology.base.BaseRichBolt;
import org.apache.storm.topology.base.BaseRichSpout;
import org.apache.storm.tuple.Fields;
import org.apache.storm.tuple.Tuple;
import org.apache.storm.tuple.Values;

/**
 * storm-perf's ConstSpoutIdBoltNullBoltTopo in a LocalCluster: a spout emitting one constant
 * string, a bolt passing each tuple on (anchored, then acked), a bolt acking and dropping it.
 * After a warm-up it counts the tuples the null bolt saw and the process's CPU time over a
 * window, and prints one JSON line: {"tuples","wallMs","cpuMs"}.
 *
 *   java -cp ... squall.bench.ConstIdNull --acking on|off --executors N --profile default|tuned --warmup S --seconds S
 */
public final class ConstIdNull {
  static final LongAdder DROPPED = new LongAdder();

  public static final class ConstSpout extends BaseRichSpout {
    private final boolean acking;
    private SpoutOutputCollector collector;
    private long id;

    ConstSpout(boolean acking) {
      this.acking = acking;
    }

    @Override
    public void open(Map<String, Object> conf, TopologyContext context, SpoutOutputCollector collector) {
      this.collector = collector;
    }

    @Override
    public void nextTuple() {
      if (acking) collector.emit(new Values("some data"), id++);
      else collector.emit(new Values("some data"));
    }

    @Override
    public void declareOutputFields(OutputFieldsDeclarer declarer) {
      declarer.declare(new Fields("str"));
    }
  }

  /** A bolt that keeps its collector. */
  abstract static class CollectingBolt extends BaseRichBolt {
    protected OutputCollector collector;

    @Override
    public void prepare(Map<String, Object> conf, TopologyContext context, OutputCollector collector) {
      this.collector = collector;
    }
  }

  public static final class IdBolt extends CollectingBolt {
    @Override
    public void execute(Tuple tuple) {
      collector.emit(tuple, tuple.getValues());
      collector.ack(tuple);
    }

    @Override
    public void declareOutputFields(OutputFieldsDeclarer declarer) {
      declarer.declare(new Fields("str"));
    }
  }

  public static final class NullBolt extends CollectingBolt {
    @Override
    public void execute(Tuple tuple) {
      DROPPED.increment();
      collector.ack(tuple);
    }

    @Override
    public void declareOutputFields(OutputFieldsDeclarer declarer) {}
  }

  private static String arg(String[] args, String name, String fallback) {
    for (int i = 0; i + 1 < args.length; i++) if (args[i].equals("--" + name)) return args[i + 1];
    return fallback;
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  public static void main(String[] args) throws Exception {
    boolean acking = arg(args, "acking", "on").equals("on");
    int executors = Integer.parseInt(arg(args, "executors", "1"));
    String profile = arg(args, "profile", "default");
    double warmup = Double.parseDouble(arg(args, "warmup", "10"));
    double seconds = Double.parseDouble(arg(args, "seconds", "15"));

    TopologyBuilder builder = new TopologyBuilder();
    builder.setSpout("spout", new ConstSpout(acking), executors);
    builder.setBolt("id", new IdBolt(), executors).localOrShuffleGrouping("spout");
    builder.setBolt("null", new NullBolt(), executors).localOrShuffleGrouping("id");

    Config conf = new Config();
    conf.setNumWorkers(1);
    if (!acking) conf.setNumAckers(0);
    if (profile.equals("tuned")) {
      // Batching between executors, bounded in-flight trees, one acker per spout executor,
      // no sampling of stats, and spin-then-park waits suited to a small machine.
      conf.put(Config.TOPOLOGY_PRODUCER_BATCH_SIZE, 500);
      conf.put(Config.TOPOLOGY_TRANSFER_BATCH_SIZE, 500);
      conf.put(Config.TOPOLOGY_BATCH_FLUSH_INTERVAL_MILLIS, 1);
      if (acking) {
        conf.setMaxSpoutPending(5000);
        conf.setNumAckers(executors);
      }
      conf.put(Config.TOPOLOGY_STATS_SAMPLE_RATE, 0.0001);
      conf.put(Config.TOPOLOGY_SPOUT_WAIT_STRATEGY, "org.apache.storm.policy.WaitStrategyProgressive");
      conf.put(Config.TOPOLOGY_BOLT_WAIT_STRATEGY, "org.apache.storm.policy.WaitStrategyProgressive");
      conf.put(Config.TOPOLOGY_EXECUTOR_RECEIVE_BUFFER_SIZE, 32768);
    }

    try (LocalCluster cluster = new LocalCluster()) {
      cluster.submitTopology("const-id-null", conf, builder.createTopology());
      while (DROPPED.sum() == 0) Thread.sleep(50); // the topology is up
      Thread.sleep((long) (warmup * 1000));
      long t0 = System.nanoTime(), c0 = cpuNanos(), n0 = DROPPED.sum();
      Thread.sleep((long) (seconds * 1000));
      long t1 = System.nanoTime(), c1 = cpuNanos(), n1 = DROPPED.sum();
      System.out.println(String.format("{\"tuples\":%d,\"wallMs\":%.3f,\"cpuMs\":%.3f}", n1 - n0, (t1 - t0) / 1e6, (c1 - c0) / 1e6));
      System.out.flush();
      Runtime.getRuntime().halt(0); // a LocalCluster's shutdown takes seconds and measures nothing
    }
  }
}
