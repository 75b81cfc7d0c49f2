package dev.daskrelay.chaos;

import dev.daskrelay.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The chaos suite's Kafka broker in a process of its own: a real single-node KRaft broker ({@link EmbeddedKafka}) on a
 * fixed port and data directory, so that it can be killed and started again with its logs intact.
 * {@code java -cp chaos.jar dev.daskrelay.chaos.BrokerMain PORT DATA_DIR}; prints {@code READY <bootstrap>}.
 */
public final class BrokerMain {

    private BrokerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: BrokerMain PORT DATA_DIR");
            System.exit(2);
        }
        EmbeddedKafka broker = EmbeddedKafka.start(new EmbeddedKafka.Options(Integer.parseInt(args[0]),
                Path.of(args[1]), false));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "broker-stop"));
        System.out.println("READY " + broker.bootstrapServers());
        System.out.flush();
        stopped.await();
    }
}
